// The campaign report: period and granularity in the URL; funnel, over time (lazy chart), by
// channel and variant, K-factor, cohorts, holdout and lift, leaderboard, KPI progress, insights
// with their evidence (apply / dismiss), and the CSV/HTML exports.
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { fileSlug } from '../../app/download';
import { cohortLabel, granularityLabel, kpiMetricLabel, kpiStatusLabel } from '../../app/labels';
import { Loading, Page, QueryError } from '../../app/Page';
import { useCan } from '../../auth/useSession';
import { CampaignNav } from '../../campaigns/components/CampaignNav';
import {
  currencyExponent,
  formatCount,
  formatDateTime,
  formatDay,
  formatMoney,
  formatNumber,
  formatPercent,
} from '../../format';
import type { KpiStatus } from '../../graphql/generated/graphql';
import { problemMessage, useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import {
  BreakdownTable,
  Funnel,
  moneyToChartNumber,
  Section,
  Stat,
  StatGrid,
} from '../components/Sections';
import { PeriodPicker } from '../components/PeriodPicker';
import { downloadReport } from '../exports';
import {
  ApplyRecommendationMutation,
  DismissRecommendationMutation,
  RestoreRecommendationMutation,
} from '../mutations';
import { CampaignReportQuery } from '../queries';
import { GRANULARITIES, parseDay, parseGranularity, reportUrls } from '../urls';
import { ScrollTable } from '../../app/ScrollTable';

const MetricsChart = lazy(() => import('../components/MetricsChart'));

const KPI_COLOR: Record<KpiStatus, string> = {
  ACHIEVED: 'green',
  ON_TRACK: 'teal',
  AT_RISK: 'orange',
  MISSED: 'red',
  TOO_EARLY: 'gray',
};

export default function CampaignReport() {
  const { id = '' } = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const from = parseDay(search.get('from'));
  const to = parseDay(search.get('to'));
  const granularity = parseGranularity(search.get('granularity'));
  const canApply = useCan('recommendations.apply');
  const apply = useApiMutation(ApplyRecommendationMutation);
  const dismiss = useApiMutation(DismissRecommendationMutation);
  const restore = useApiMutation(RestoreRecommendationMutation);
  const [showDismissed, setShowDismissed] = useState(false);

  const [result, refetch] = useQuery({
    query: CampaignReportQuery,
    variables: { campaignId: id, from, to, granularity },
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const report = result.data?.campaignReport;
  const campaign = result.data?.campaign;
  const applied = result.data?.appliedRecommendations ?? [];

  const chart = useMemo(() => {
    const rows = report?.series ?? [];
    const exponent = currencyExponent(report?.revenue.currency ?? 'USD');
    return {
      categories: rows.map((r) => r.key),
      series: [
        { name: t('metric.clicks'), data: rows.map((r) => Number(r.clicks)) },
        { name: t('metric.customers'), data: rows.map((r) => Number(r.customers)) },
        {
          name: t('metric.revenue'),
          data: rows.map((r) => moneyToChartNumber(r.revenue, exponent)),
          right: true,
        },
      ],
    };
  }, [report]);

  const go = (next: {
    from?: string | null;
    to?: string | null;
    granularity?: typeof granularity;
  }) =>
    void navigate(reportUrls.campaign(id, { from, to, granularity, ...next }), { replace: true });

  const exportAs = async (format: 'csv' | 'html') => {
    const name = `${fileSlug(campaign?.name ?? 'campaign')}-report.${format}`;
    const problem = await downloadReport(id, format, { from, to }, name);
    if (problem) notifications.show({ color: 'red', message: problemMessage(problem) });
  };

  const applyInsight = async (kind: string, action: string) => {
    const outcome = await apply.run({ campaignId: id, kind, note: action });
    if (outcome.data) {
      notifications.show({ color: 'green', message: t('report.applied') });
      reload();
    }
  };

  // Dismissed on the server (who reads the report sees it too); shown again on request.
  const setAside = async (kind: string, back: boolean) => {
    const outcome = back
      ? await restore.run({ campaignId: id, kind })
      : await dismiss.run({ campaignId: id, kind });
    if (outcome.data) {
      notifications.show({ message: t(back ? 'report.restored' : 'report.dismissed') });
      reload();
    }
  };
  const insights = report?.insights ?? [];
  const dismissedCount = insights.filter((i) => i.dismissal).length;
  const shownInsights = insights.filter((i) => showDismissed || !i.dismissal);

  // A campaign that has not started reports its empty today (its report begins on its first day).
  const [openedAt] = useState(() => Date.now());
  const notStarted = campaign ? new Date(campaign.startsAt).getTime() > openedAt : false;

  return (
    <Page
      title={campaign ? t('report.title', { name: campaign.name }) : t('report.titleLoading')}
      ready={Boolean(report) || (Boolean(result.error) && !result.fetching)}
      nav={<CampaignNav id={id} status={campaign?.status} />}
      actions={
        <>
          <Button variant="default" loading={result.fetching} onClick={reload}>
            {t('report.refresh')}
          </Button>
          <Button variant="default" onClick={() => void exportAs('csv')}>
            {t('report.exportCsv')}
          </Button>
          <Button variant="default" onClick={() => void exportAs('html')}>
            {t('report.exportHtml')}
          </Button>
        </>
      }
    >
      <Group align="flex-end" wrap="wrap">
        <PeriodPicker from={from} to={to} onChange={go} />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="granularity-label">
            {t('report.granularity')}
          </Text>
          <SegmentedControl
            aria-labelledby="granularity-label"
            value={granularity}
            data={GRANULARITIES.map((g) => ({ value: g, label: granularityLabel(g) }))}
            onChange={(value) => go({ granularity: parseGranularity(value) })}
          />
        </Stack>
      </Group>

      {notStarted ? <Alert color="blue">{t('report.notStarted')}</Alert> : null}
      {result.error ? <QueryError error={result.error} retry={reload} /> : null}
      {!report && !result.error ? <Loading /> : null}
      {report ? (
        <Stack gap="xl">
          <Text size="sm">
            {t('report.periodLine', {
              from: formatDay(report.from),
              to: formatDay(report.to),
              zone: report.timeZone,
            })}
          </Text>
          <StatGrid>
            <Stat
              label={t('metric.clicks')}
              value={formatCount(report.funnel.clicks)}
              testId="stat-clicks"
            />
            <Stat label={t('report.visitors')} value={formatCount(report.funnel.uniqueVisitors)} />
            <Stat label={t('report.leads')} value={formatCount(report.funnel.leads)} />
            <Stat
              label={t('metric.customers')}
              value={formatCount(report.funnel.customers)}
              testId="stat-customers"
            />
            <Stat
              label={t('metric.revenue')}
              value={formatMoney(report.revenue)}
              testId="stat-revenue"
            />
            <Stat
              label={t('metric.rewardCost')}
              value={formatMoney(report.rewardCost)}
              hint={t('report.costSplit', {
                referrer: formatMoney(report.referrerRewardCost),
                referee: formatMoney(report.refereeRewardCost),
              })}
              testId="stat-reward-cost"
            />
            <Stat label={t('metric.roi')} value={formatNumber(report.roi)} />
            <Stat label={t('report.cpa')} value={formatMoney(report.costPerAcquisition)} />
            <Stat label={t('report.aov')} value={formatMoney(report.averageOrderValue)} />
            <Stat
              label={t('report.kFactor')}
              value={formatNumber(report.kFactor, undefined, 3)}
              hint={t('report.participants', { n: formatCount(report.participants) })}
            />
          </StatGrid>

          <Section title={t('report.funnel')} id="funnel">
            <Funnel
              stages={[
                { label: t('metric.clicks'), value: report.funnel.clicks },
                { label: t('report.visitors'), value: report.funnel.uniqueVisitors },
                { label: t('report.leads'), value: report.funnel.leads },
                { label: t('report.approved'), value: report.funnel.approved },
                { label: t('metric.customers'), value: report.funnel.customers },
                { label: t('report.orders'), value: report.funnel.orders },
              ]}
            />
            <Text size="xs">
              {t('report.rates', {
                clickToLead: formatPercent(report.clickToLead.value),
                leadToCustomer: formatPercent(report.leadToCustomer.value),
                clickToCustomer: formatPercent(report.clickToCustomer.value),
                rejected: formatPercent(report.fraudRejectionRate.value),
              })}
            </Text>
          </Section>

          <Section title={t('report.overTime')} id="over-time">
            {chart.categories.length === 0 ? (
              <Text size="sm">{t('report.noRows')}</Text>
            ) : (
              <Suspense fallback={<Loading />}>
                <MetricsChart
                  kind="line"
                  categories={chart.categories}
                  series={chart.series}
                  title={t('report.overTimeChart')}
                />
              </Suspense>
            )}
          </Section>

          <Section title={t('report.byChannel')} id="by-channel">
            <BreakdownTable
              rows={report.byChannel}
              kind="channel"
              caption={t('report.byChannelCaption')}
            />
          </Section>
          <Section title={t('report.byVariant')} id="by-variant">
            <BreakdownTable
              rows={report.byVariant}
              kind="variant"
              caption={t('report.byVariantCaption')}
            />
          </Section>

          <Section title={t('report.kpis')} id="kpis">
            {report.kpis.length === 0 ? <Text size="sm">{t('report.noKpis')}</Text> : null}
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              {report.kpis.map((k) => (
                <Card
                  key={`${k.focusArea}/${k.objective}/${k.metric}/${k.due}`}
                  withBorder
                  padding="sm"
                >
                  <Group justify="space-between" wrap="nowrap">
                    <Text size="sm" fw={600}>
                      {kpiMetricLabel(k.metric)}
                    </Text>
                    {k.status ? (
                      <Badge color={KPI_COLOR[k.status]}>{kpiStatusLabel(k.status)}</Badge>
                    ) : null}
                  </Group>
                  <Text size="xs">
                    {t('report.kpiWhere', { area: k.focusArea, objective: k.objective })}
                  </Text>
                  <Progress
                    mt="xs"
                    value={Math.min(100, (k.value / k.target) * 100)}
                    aria-label={t('report.kpiProgress', { metric: kpiMetricLabel(k.metric) })}
                  />
                  <Text size="xs" mt={4}>
                    {t('report.kpiLine', {
                      value: formatNumber(k.value, undefined, 4),
                      target: formatNumber(k.target, undefined, 4),
                      due: formatDay(k.due),
                      projected: formatNumber(k.projected, undefined, 4),
                    })}
                  </Text>
                </Card>
              ))}
            </SimpleGrid>
          </Section>

          <Section title={t('report.insights')} id="insights">
            {shownInsights.length === 0 ? <Text size="sm">{t('report.noInsights')}</Text> : null}
            {shownInsights.map((insight) => (
              <Card key={insight.kind} withBorder padding="sm">
                <Stack gap={4}>
                  <Group gap="xs">
                    <Text fw={600}>{insight.finding}</Text>
                    {insight.significant ? (
                      <Badge color="green">{t('report.significant')}</Badge>
                    ) : null}
                    {insight.dismissal ? (
                      <Badge color="gray">
                        {t('report.dismissedOn', {
                          when: formatDateTime(insight.dismissal.dismissedAt),
                        })}
                      </Badge>
                    ) : null}
                  </Group>
                  <Text size="sm">{t('report.evidence', { evidence: insight.evidence })}</Text>
                  <Text size="sm">{t('report.action', { action: insight.action })}</Text>
                  {canApply ? (
                    <Group gap="xs" mt={4}>
                      <Button
                        size="xs"
                        loading={apply.fetching}
                        onClick={() => void applyInsight(insight.kind, insight.action)}
                      >
                        {t('report.apply')}
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        loading={dismiss.fetching || restore.fetching}
                        onClick={() => void setAside(insight.kind, Boolean(insight.dismissal))}
                      >
                        {t(insight.dismissal ? 'report.restore' : 'report.dismiss')}
                      </Button>
                    </Group>
                  ) : null}
                </Stack>
              </Card>
            ))}
            {dismissedCount > 0 ? (
              <Button
                size="xs"
                variant="subtle"
                onClick={() => setShowDismissed((v) => !v)}
                aria-pressed={showDismissed}
              >
                {t(showDismissed ? 'report.hideDismissed' : 'report.showDismissed', {
                  n: dismissedCount,
                })}
              </Button>
            ) : null}
            {applied.length > 0 ? (
              <Stack gap={2}>
                <Text size="sm" fw={600}>
                  {t('report.appliedTitle')}
                </Text>
                {applied.map((a) => (
                  <Text size="xs" key={a.id}>
                    {t('report.appliedLine', {
                      kind: a.kind,
                      when: formatDateTime(a.appliedAt),
                      note: a.note ?? '',
                    })}
                  </Text>
                ))}
              </Stack>
            ) : null}
          </Section>

          <Section title={t('report.leaderboard')} id="leaderboard">
            {report.topReferrers.length === 0 ? (
              <Text size="sm">{t('report.noRows')}</Text>
            ) : (
              <ScrollTable minWidth={560}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('report.referrer')}</Table.Th>
                      <Table.Th ta="right">{t('metric.clicks')}</Table.Th>
                      <Table.Th ta="right">{t('report.leads')}</Table.Th>
                      <Table.Th ta="right">{t('metric.customers')}</Table.Th>
                      <Table.Th ta="right">{t('metric.revenue')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {report.topReferrers.map((r) => (
                      <Table.Tr key={r.participantId}>
                        <Table.Td>{r.externalId}</Table.Td>
                        <Table.Td ta="right">{formatCount(r.clicks)}</Table.Td>
                        <Table.Td ta="right">{formatCount(r.leads)}</Table.Td>
                        <Table.Td ta="right">{formatCount(r.customers)}</Table.Td>
                        <Table.Td ta="right">{formatMoney(r.revenue)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
            )}
          </Section>

          <Section title={t('report.holdout')} id="holdout">
            {report.holdout ? (
              <StatGrid>
                <Stat label={t('report.invited')} value={formatCount(report.holdout.invited)} />
                <Stat label={t('report.heldOut')} value={formatCount(report.holdout.heldOut)} />
                <Stat
                  label={t('report.buyerRates')}
                  value={`${formatPercent(report.holdout.invitedBuyerRate.value)} / ${formatPercent(report.holdout.heldOutBuyerRate.value)}`}
                />
                <Stat
                  label={t('report.incrementalRevenue')}
                  value={formatNumber(report.holdout.incrementalRevenue?.value)}
                  hint={
                    report.holdout.incrementalRevenue
                      ? t('report.interval', {
                          low: formatNumber(report.holdout.incrementalRevenue.low),
                          high: formatNumber(report.holdout.incrementalRevenue.high),
                        })
                      : undefined
                  }
                />
                <Stat
                  label={t('report.incrementalConversions')}
                  value={formatNumber(report.holdout.incrementalConversions?.value)}
                />
              </StatGrid>
            ) : (
              <Text size="sm">{t('report.noHoldout')}</Text>
            )}
          </Section>

          <Section title={t('report.cohorts')} id="cohorts">
            {report.cohorts.length === 0 ? (
              <Text size="sm">{t('report.noRows')}</Text>
            ) : (
              <ScrollTable minWidth={560}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('report.cohortMonth')}</Table.Th>
                      <Table.Th>{t('report.cohortKind')}</Table.Th>
                      <Table.Th ta="right">{t('metric.customers')}</Table.Th>
                      <Table.Th ta="right">{t('report.repeatRevenue')}</Table.Th>
                      <Table.Th ta="right">{t('report.repeatRate')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {report.cohorts.map((c) => {
                      const last = c.months[c.months.length - 1];
                      return (
                        <Table.Tr key={`${c.month}/${c.kind}`}>
                          <Table.Td>{c.month}</Table.Td>
                          <Table.Td>{cohortLabel(c.kind)}</Table.Td>
                          <Table.Td ta="right">{formatCount(c.customers)}</Table.Td>
                          <Table.Td ta="right">
                            {last ? formatMoney(last.repeatRevenue) : '—'}
                          </Table.Td>
                          <Table.Td ta="right">
                            {last ? formatPercent(last.repeatPurchaseRate.value) : '—'}
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
            )}
          </Section>
        </Stack>
      ) : null}
    </Page>
  );
}
