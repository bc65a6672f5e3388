// Display pieces of the campaign report: headline numbers, funnel, breakdown tables.
import { Card, Group, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { channelLabel, CHANNELS } from '../../app/labels';
import { formatCount, formatMoney, formatPercent, type MoneyValue } from '../../format';
import type { ReportRowFieldsFragment } from '../../graphql/generated/graphql';
import { t } from '../../i18n';
import { ScrollTable } from '../../app/ScrollTable';

export function Stat(props: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" fw={600} c="dimmed">
        {props.label}
      </Text>
      <Text fw={700} size="lg" data-testid={props.testId}>
        {props.value}
      </Text>
      {props.hint ? <Text size="xs">{props.hint}</Text> : null}
    </Card>
  );
}

export function Section(props: { title: string; children: ReactNode; id?: string }) {
  return (
    <Stack gap="xs" component="section" aria-labelledby={props.id}>
      <Title order={2} size="h4" id={props.id}>
        {props.title}
      </Title>
      {props.children}
    </Stack>
  );
}

export function StatGrid(props: { children: ReactNode }) {
  return <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>{props.children}</SimpleGrid>;
}

export function Funnel(props: { stages: { label: string; value: string }[] }) {
  const numbers = props.stages.map((s) => Number(s.value));
  const top = Math.max(1, numbers[0] ?? 1);
  return (
    <Stack gap={6}>
      {props.stages.map((s, i) => (
        <Group key={s.label} gap="sm" wrap="nowrap">
          <Text size="sm" w={110}>
            {s.label}
          </Text>
          <Progress
            value={((numbers[i] ?? 0) / top) * 100}
            style={{ flex: 1 }}
            aria-label={s.label}
          />
          <Text size="sm" w={80} ta="right">
            {formatCount(s.value)}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

function rowLabel(kind: 'channel' | 'variant' | 'period', row: ReportRowFieldsFragment): string {
  if (kind === 'channel') {
    const channel = CHANNELS.find((c) => c.toLowerCase() === row.key.toLowerCase());
    return channel ? channelLabel(channel) : row.label || t('report.noChannel');
  }
  return row.label || row.key || '—';
}

export function BreakdownTable(props: {
  rows: ReportRowFieldsFragment[];
  kind: 'channel' | 'variant' | 'period';
  caption: string;
}) {
  if (props.rows.length === 0) return <Text size="sm">{t('report.noRows')}</Text>;
  return (
    <ScrollTable minWidth={640}>
      <Table striped>
        <caption style={{ textAlign: 'left', fontSize: 'var(--mantine-font-size-xs)' }}>
          {props.caption}
        </caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('report.col.group')}</Table.Th>
            <Table.Th ta="right">{t('metric.clicks')}</Table.Th>
            <Table.Th ta="right">{t('report.leads')}</Table.Th>
            <Table.Th ta="right">{t('metric.customers')}</Table.Th>
            <Table.Th ta="right">{t('metric.revenue')}</Table.Th>
            <Table.Th ta="right">{t('metric.rewardCost')}</Table.Th>
            <Table.Th ta="right">{t('report.conversion')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {props.rows.map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td>{rowLabel(props.kind, r)}</Table.Td>
              <Table.Td ta="right">{formatCount(r.clicks)}</Table.Td>
              <Table.Td ta="right">{formatCount(r.leads)}</Table.Td>
              <Table.Td ta="right">{formatCount(r.customers)}</Table.Td>
              <Table.Td ta="right">{formatMoney(r.revenue)}</Table.Td>
              <Table.Td ta="right">{formatMoney(r.rewardCost)}</Table.Td>
              <Table.Td ta="right">{formatPercent(r.conversionRate.value)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

/** Money as a plain number of major units, for charts only (display always uses formatMoney). */
export function moneyToChartNumber(money: MoneyValue, exponent: number): number {
  return Number(money.amountMinor) / 10 ** exponent;
}
