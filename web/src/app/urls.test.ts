import { describe, expect, it } from 'vitest';
import { campaignUrls, parseStatus, parseTab } from '../campaigns/urls';
import { participantUrls } from '../participants/urls';
import { parseDay, parseGranularity, reportUrls } from '../reports/urls';
import { nextPage, pageNumber, previousPage, readPage, writePage } from './paging';

describe('campaign URLs', () => {
  it('builds list URLs with status and cursors', () => {
    expect(campaignUrls.list()).toBe('/campaigns');
    expect(campaignUrls.list({ status: 'ACTIVE' })).toBe('/campaigns?status=ACTIVE');
    expect(campaignUrls.list({ page: { after: 'c2', trail: ['-'] } })).toBe(
      '/campaigns?after=c2&trail=-',
    );
  });

  it('builds detail and builder URLs', () => {
    expect(campaignUrls.detail('a b')).toBe('/campaigns/a%20b');
    expect(campaignUrls.edit('x')).toBe('/campaigns/x/edit');
    expect(campaignUrls.edit('x', 'rewards')).toBe('/campaigns/x/edit?tab=rewards');
    expect(parseTab('materials')).toBe('materials');
    expect(parseTab('nope')).toBe('settings');
    expect(parseStatus('PAUSED')).toBe('PAUSED');
    expect(parseStatus('x')).toBeNull();
  });
});

describe('paging', () => {
  it('walks forward and back through cursors', () => {
    const first = readPage(new URLSearchParams(''));
    const second = nextPage(first, 'c1');
    const third = nextPage(second, 'c2');
    expect(pageNumber(third)).toBe(3);
    expect(previousPage(third)).toEqual(second);
    expect(previousPage(second)).toEqual({ after: null, trail: [] });
    const round = readPage(writePage(new URLSearchParams('q=x'), third));
    expect(round).toEqual(third);
  });
});

describe('participant and report URLs', () => {
  it('builds them', () => {
    expect(participantUrls.list('c', { q: 'ann' })).toBe('/campaigns/c/participants?q=ann');
    expect(participantUrls.links('c', 'p', 'e')).toBe('/campaigns/c/participants/p?enrolment=e');
    expect(participantUrls.qr('ABC', 'png')).toBe('/qr/ABC.png');
    expect(reportUrls.campaign('c', { from: '2026-01-01', granularity: 'WEEK' })).toBe(
      '/campaigns/c/report?from=2026-01-01&granularity=WEEK',
    );
    expect(reportUrls.export('c', 'csv', { from: '2026-01-01', to: '2026-01-31' })).toBe(
      '/reports/campaigns/c.csv?from=2026-01-01&to=2026-01-31',
    );
    expect(parseGranularity('MONTH')).toBe('MONTH');
    expect(parseGranularity(null)).toBe('DAY');
    expect(parseDay('2026-02-03')).toBe('2026-02-03');
    expect(parseDay('x')).toBeNull();
  });
});
