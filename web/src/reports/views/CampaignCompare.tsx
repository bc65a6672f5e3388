// Compare campaigns: two to ten of the tenant's campaigns over one period (both in the URL), their
// headline numbers side by side from `compareCampaigns`, and revenue against reward cost as bars
// when the campaigns share a currency.
import { Anchor, Button, Group, MultiSelect, Stack, Table, Text } from '@mantine/core';
import { lazy, Suspense, useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, Loading, Page, QueryError } from '../../app/Page';
import { ScrollTable } from '../../app/ScrollTable';
import {
  currencyExponent,
  formatDay,
  formatMoney,
  formatNumber,
  formatPercent,
} from '../../format';
import { t } from '../../i18n';
import { fromReport, HeadlineCells, HeadlineHeads } from '../components/Headlines';
import { PeriodPicker } from '../components/PeriodPicker';
import { moneyToChartNumber, Section } from '../components/Sections';
import { CompareCampaignsQuery, CompareOptionsQuery } from '../queries';
import { COMPARE_MAX, COMPARE_MIN, parseCompareIds, parseDay, reportUrls } from '../urls';

const MetricsChart = lazy(() => import('../components/MetricsChart'));

export default function CampaignCompare() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const ids = useMemo(() => parseCompareIds(search), [search]);
  const from = parseDay(search.get('from'));
  const to = parseDay(search.get('to'));

  const [options, refetchOptions] = useQuery({ query: CompareOptionsQuery });
  const [result, refetch] = useQuery({
    query: CompareCampaignsQuery,
    variables: { ids, from, to },
    pause: ids.length === 0,
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });

  const campaigns = options.data?.campaigns.nodes;
  const names = useMemo(() => new Map((campaigns ?? []).map((c) => [c.id, c.name])), [campaigns]);
  // Campaigns named in the URL but beyond the newest 100 are still shown, by id.
  const choices = useMemo(
    () => [
      ...(campaigns ?? []).map((c) => ({ value: c.id, label: c.name })),
      ...ids.filter((id) => !names.has(id)).map((id) => ({ value: id, label: id })),
    ],
    [campaigns, ids, names],
  );
  // In the order chosen; the rows of an earlier choice never stand in for the current one.
  const rows = useMemo(() => {
    const byId = new Map((result.data?.compareCampaigns ?? []).map((r) => [r.campaignId, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [row] : [];
    });
  }, [result.data, ids]);
  const shown = ids.length > 0 && rows.length === ids.length;

  const chart = useMemo(() => {
    const currencies = new Set(rows.map((r) => r.revenue.currency));
    const [currency] = currencies;
    if (rows.length < COMPARE_MIN || currencies.size !== 1 || !currency) return null;
    const exponent = currencyExponent(currency);
    return {
      categories: rows.map((r) => names.get(r.campaignId) ?? r.campaignId),
      series: [
        {
          name: t('compare.revenueIn', { currency }),
          data: rows.map((r) => moneyToChartNumber(r.revenue, exponent)),
        },
        {
          name: t('compare.rewardCostIn', { currency }),
          data: rows.map((r) => moneyToChartNumber(r.rewardCost, exponent)),
        },
      ],
    };
  }, [rows, names]);

  const go = (next: { ids?: string[]; from?: string | null; to?: string | null }) =>
    void navigate(reportUrls.compare(next.ids ?? ids, { from, to, ...next }), { replace: true });

  const optionsDone = Boolean(options.data) || Boolean(options.error);
  const ready =
    optionsDone && (ids.length === 0 || shown || (Boolean(result.error) && !result.fetching));

  return (
    <Page
      title={t('compare.title')}
      ready={ready}
      actions={
        <Button
          variant="default"
          loading={result.fetching}
          disabled={ids.length === 0}
          onClick={reload}
        >
          {t('report.refresh')}
        </Button>
      }
    >
      {options.error ? (
        <QueryError
          error={options.error}
          retry={() => refetchOptions({ requestPolicy: 'network-only' })}
        />
      ) : null}
      {!optionsDone ? <Loading /> : null}
      {campaigns ? (
        <Group align="flex-end" wrap="wrap">
          <MultiSelect
            label={t('compare.campaigns')}
            description={t('compare.campaignsHint', { min: COMPARE_MIN, max: COMPARE_MAX })}
            placeholder={ids.length === 0 ? t('compare.pick') : undefined}
            data={choices}
            value={ids}
            onChange={(next) => go({ ids: next })}
            maxValues={COMPARE_MAX}
            searchable
            nothingFoundMessage={t('compare.noMatch')}
            clearable
            clearButtonProps={{ 'aria-label': t('field.clear', { label: t('compare.campaigns') }) }}
            style={{ flex: '1 1 320px', minWidth: 0 }}
          />
          <PeriodPicker from={from} to={to} onChange={go} />
        </Group>
      ) : null}

      {campaigns && ids.length === 0 ? <Empty>{t('compare.none')}</Empty> : null}
      {ids.length === 1 ? <Text size="sm">{t('compare.one')}</Text> : null}
      {result.error ? <QueryError error={result.error} retry={reload} /> : null}
      {ids.length > 0 && !shown && !result.error ? <Loading /> : null}
      {shown ? (
        <Stack gap="xl">
          <ScrollTable minWidth={880} label={t('compare.tableLabel')}>
            <Table striped>
              {/* Headers wrap between words only (the page's default breaks anywhere). */}
              <Table.Thead style={{ overflowWrap: 'normal' }}>
                <Table.Tr>
                  <Table.Th miw={180}>{t('compare.col.campaign')}</Table.Th>
                  <HeadlineHeads />
                  <Table.Th ta="right">{t('compare.col.clickToCustomer')}</Table.Th>
                  <Table.Th ta="right">{t('report.cpa')}</Table.Th>
                  <Table.Th ta="right">{t('report.kFactor')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.campaignId}>
                    <Table.Td>
                      <Anchor component={Link} to={reportUrls.campaign(r.campaignId, { from, to })}>
                        {names.get(r.campaignId) ?? r.campaignId}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {t('compare.periodCell', { from: formatDay(r.from), to: formatDay(r.to) })}
                      </Text>
                    </Table.Td>
                    <HeadlineCells row={fromReport(r)} />
                    <Table.Td ta="right">{formatPercent(r.clickToCustomer.value)}</Table.Td>
                    <Table.Td ta="right">{formatMoney(r.costPerAcquisition)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(r.kFactor, undefined, 3)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {rows.length >= COMPARE_MIN ? (
            <Section title={t('compare.chartTitle')} id="compare-chart">
              {chart ? (
                <Suspense fallback={<Loading />}>
                  <MetricsChart
                    kind="bar"
                    categories={chart.categories}
                    series={chart.series}
                    title={t('compare.chartLabel')}
                  />
                </Suspense>
              ) : (
                <Text size="sm">{t('compare.chartCurrencies')}</Text>
              )}
            </Section>
          ) : null}
        </Stack>
      ) : null}
    </Page>
  );
}
