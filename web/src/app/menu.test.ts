import { describe, expect, it } from 'vitest';
import { activeMenuEntry, MENU } from './menu';

describe('the menu', () => {
  const active = (path: string) => activeMenuEntry(path, MENU)?.label;

  it('marks the deepest entry a path is at or below', () => {
    expect(active('/campaigns')).toBe('nav.campaigns');
    expect(active('/campaigns/0190a/report')).toBe('nav.campaigns');
    expect(active('/campaigns/compare')).toBe('nav.compare');
    expect(active('/health')).toBe('nav.health');
  });

  it('marks nothing for a path no entry holds, nor for a separate page', () => {
    expect(active('/campaignsx')).toBeUndefined();
    expect(active('/graphql')).toBeUndefined();
    expect(active('/no-such-page')).toBeUndefined();
  });
});
