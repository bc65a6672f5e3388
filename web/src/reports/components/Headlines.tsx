// A campaign's headline numbers as table columns: the campaign list's and the comparison's.
import { Table } from '@mantine/core';
import { formatCount, formatMoney, formatNumber } from '../../format';
import type { CampaignHeadlineFragment } from '../../graphql/generated/graphql';
import type { MoneyValue } from '../../format';
import { t } from '../../i18n';

export function HeadlineHeads() {
  return (
    <>
      <Table.Th ta="right">{t('metric.clicks')}</Table.Th>
      <Table.Th ta="right">{t('metric.customers')}</Table.Th>
      <Table.Th ta="right">{t('metric.revenue')}</Table.Th>
      <Table.Th ta="right">{t('metric.rewardCost')}</Table.Th>
      <Table.Th ta="right">{t('metric.roi')}</Table.Th>
    </>
  );
}

/** The numbers a headline row shows. */
export interface HeadlineNumbers {
  clicks: string;
  customers: string;
  revenue: MoneyValue;
  rewardCost: MoneyValue;
  roi?: number | null;
}

/** A comparison row's headline numbers. */
export function fromReport(r: CampaignHeadlineFragment): HeadlineNumbers {
  return { ...r, clicks: r.funnel.clicks, customers: r.funnel.customers };
}

/** The cells of one campaign; dashes when it has no numbers. */
export function HeadlineCells(props: { row: HeadlineNumbers | null | undefined }) {
  const n = props.row;
  return (
    <>
      <Table.Td ta="right">{n ? formatCount(n.clicks) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatCount(n.customers) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatMoney(n.revenue) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatMoney(n.rewardCost) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatNumber(n.roi) : '—'}</Table.Td>
    </>
  );
}
