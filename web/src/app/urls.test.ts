import { describe, expect, it } from 'vitest';
import { campaignUrls, parseStatus, parseTab } from '../campaigns/urls';
import { participantUrls } from '../participants/urls';
import {
  COMPARE_MAX,
  parseCompareIds,
  parseDay,
  parseGranularity,
  reportUrls,
} from '../reports/urls';
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

describe('comparison URLs', () => {
  const id = (n: number) => `0190a0b0-c0d0-7e00-8000-${n.toString().padStart(12, '0')}`;

  it('keeps the campaigns in their order, then the period', () => {
    expect(reportUrls.compare([])).toBe('/campaigns/compare');
    expect(reportUrls.compare([id(2), id(1)], { from: '2026-01-01', to: '2026-01-31' })).toBe(
      `/campaigns/compare?campaign=${id(2)}&campaign=${id(1)}&from=2026-01-01&to=2026-01-31`,
    );
    const url = new URL(reportUrls.compare([id(3), id(1)]), 'http://x');
    expect(parseCompareIds(url.searchParams)).toEqual([id(3), id(1)]);
  });

  it('reads well-formed ids once each, at most ten', () => {
    const search = new URLSearchParams();
    for (const v of [id(1), 'nope', id(1).toUpperCase(), '', ` ${id(2)} `, 'x'.repeat(36)]) {
      search.append('campaign', v);
    }
    expect(parseCompareIds(search)).toEqual([id(1), id(2)]);
    const many = new URLSearchParams(
      Array.from({ length: 12 }, (_, i) => ['campaign', id(i)] as [string, string]),
    );
    expect(parseCompareIds(many)).toEqual(Array.from({ length: COMPARE_MAX }, (_, i) => id(i)));
    expect(parseCompareIds(new URLSearchParams('from=2026-01-01'))).toEqual([]);
  });
});
