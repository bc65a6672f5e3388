// A campaign's headline numbers as table columns: the campaign list's and the comparison's.
import { Table } from '@mantine/core';
import { formatCount, formatMoney, formatNumber } from '../../format';
import type { CampaignHeadlineFragment } from '../../graphql/generated/graphql';
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

/** The cells of one campaign; dashes when it has no numbers (not started yet). */
export function HeadlineCells(props: { row: CampaignHeadlineFragment | undefined }) {
  const n = props.row;
  return (
    <>
      <Table.Td ta="right">{n ? formatCount(n.funnel.clicks) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatCount(n.funnel.customers) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatMoney(n.revenue) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatMoney(n.rewardCost) : '—'}</Table.Td>
      <Table.Td ta="right">{n ? formatNumber(n.roi) : '—'}</Table.Td>
    </>
  );
}
