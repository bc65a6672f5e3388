import { describe, expect, it } from 'vitest';
import { escapeValues, renderTemplate, type SampleValues } from './preview';

const sample: SampleValues = {
  first_name: 'Alex',
  referral_link: 'https://example.test/r/ALEX1',
  referral_code: 'ALEX1',
  campaign_name: 'Spring <Friends>',
  company_name: 'Acme',
  reward_summary: '€10',
  unsubscribe_url: '#',
};

describe('material preview', () => {
  it('substitutes variables and keeps unknown ones', () => {
    expect(renderTemplate('Hi {{first_name}}, use {{ referral_link }} {{nope}}', sample)).toBe(
      'Hi Alex, use https://example.test/r/ALEX1 {{nope}}',
    );
  });

  it('escapes values for HTML', () => {
    expect(renderTemplate('<b>{{campaign_name}}</b>', escapeValues(sample))).toBe(
      '<b>Spring &lt;Friends&gt;</b>',
    );
  });
});
