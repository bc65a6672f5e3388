// Typed URLs of the report screens and the report exports.
import type { ReportGranularity } from '../graphql/generated/graphql';

export interface ReportParams {
  from?: string | null;
  to?: string | null;
  granularity?: ReportGranularity;
}

export const GRANULARITIES: readonly ReportGranularity[] = ['DAY', 'WEEK', 'MONTH'];

function query(
  params: ReportParams,
  withGranularity: boolean,
  search = new URLSearchParams(),
): string {
  if (params.from) search.set('from', params.from);
  if (params.to) search.set('to', params.to);
  if (withGranularity && params.granularity && params.granularity !== 'DAY') {
    search.set('granularity', params.granularity);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** How many campaigns one comparison holds (`compareCampaigns` takes at most 10). */
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 10;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const reportUrls = {
  campaign(campaignId: string, params: ReportParams = {}): string {
    return `/campaigns/${encodeURIComponent(campaignId)}/report${query(params, true)}`;
  },
  /** `/reports/campaigns/{id}.csv|.html?from=&to=` — needs the bearer token (fetched, not linked). */
  export(campaignId: string, format: 'csv' | 'html', params: ReportParams = {}): string {
    return `/reports/campaigns/${encodeURIComponent(campaignId)}.${format}${query(params, false)}`;
  },
  health(params: { from?: string | null; to?: string | null } = {}): string {
    return `/health${query(params, false)}`;
  },
  /** `/campaigns/compare?campaign=…&campaign=…&from=&to=`: the campaigns in the order chosen. */
  compare(campaignIds: readonly string[], params: ReportParams = {}): string {
    const search = new URLSearchParams();
    for (const id of campaignIds) search.append('campaign', id);
    return `/campaigns/compare${query(params, false, search)}`;
  },
};

/**
 * The campaigns of a comparison URL: well-formed ids only, each once, in their order, at most
 * COMPARE_MAX (a hand-edited URL cannot ask the API for more than it answers).
 */
export function parseCompareIds(search: URLSearchParams): string[] {
  const ids: string[] = [];
  for (const raw of search.getAll('campaign')) {
    const id = raw.trim().toLowerCase();
    if (UUID.test(id) && !ids.includes(id)) ids.push(id);
  }
  return ids.slice(0, COMPARE_MAX);
}

export function parseGranularity(value: string | null): ReportGranularity {
  return GRANULARITIES.find((g) => g === value) ?? 'DAY';
}

export function parseDay(value: string | null): string | null {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}
