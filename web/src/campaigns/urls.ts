// Typed URLs of the campaign screens.
import type { CampaignStatus } from '../graphql/generated/graphql';
import { writePage, type PageParams } from '../app/paging';

export type BuilderTab = 'settings' | 'rewards' | 'materials' | 'variants';

export const BUILDER_TABS: readonly BuilderTab[] = ['settings', 'rewards', 'materials', 'variants'];

export const campaignUrls = {
  list(params: { page?: PageParams; status?: CampaignStatus | null } = {}): string {
    let search = new URLSearchParams();
    if (params.status) search.set('status', params.status);
    if (params.page) search = writePage(search, params.page);
    const query = search.toString();
    return query ? `/campaigns?${query}` : '/campaigns';
  },
  create(): string {
    return '/campaigns/new';
  },
  detail(id: string): string {
    return `/campaigns/${encodeURIComponent(id)}`;
  },
  edit(id: string, tab: BuilderTab = 'settings'): string {
    const base = `/campaigns/${encodeURIComponent(id)}/edit`;
    return tab === 'settings' ? base : `${base}?tab=${tab}`;
  },
};

export function parseTab(value: string | null): BuilderTab {
  return BUILDER_TABS.find((tab) => tab === value) ?? 'settings';
}

export function parseStatus(value: string | null): CampaignStatus | null {
  const statuses: CampaignStatus[] = ['DRAFT', 'ACTIVE', 'PAUSED', 'ENDED'];
  return statuses.find((s) => s === value) ?? null;
}
