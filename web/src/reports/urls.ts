// Typed URLs of the report screens and the report exports.
import type { ReportGranularity } from '../graphql/generated/graphql';

export interface ReportParams {
  from?: string | null;
  to?: string | null;
  granularity?: ReportGranularity;
}

export const GRANULARITIES: readonly ReportGranularity[] = ['DAY', 'WEEK', 'MONTH'];

function query(params: ReportParams, withGranularity: boolean): string {
  const search = new URLSearchParams();
  if (params.from) search.set('from', params.from);
  if (params.to) search.set('to', params.to);
  if (withGranularity && params.granularity && params.granularity !== 'DAY') {
    search.set('granularity', params.granularity);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

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
};

export function parseGranularity(value: string | null): ReportGranularity {
  return GRANULARITIES.find((g) => g === value) ?? 'DAY';
}

export function parseDay(value: string | null): string | null {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}
