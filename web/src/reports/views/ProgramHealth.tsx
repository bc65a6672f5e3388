// Programme health over a period (programHealth): setup success, participation, tracking
// accuracy, attribution correctness, fraud prevention, reward timeliness, incentives.
import { Group, Stack, Table, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Loading, Page, QueryError } from '../../app/Page';
import { formatCount, formatNumber, formatPercent } from '../../format';
import { t } from '../../i18n';
import { Section, Stat, StatGrid } from '../components/Sections';
import { ProgramHealthQuery } from '../queries';
import { parseDay, reportUrls } from '../urls';
import { ScrollTable } from '../../app/ScrollTable';

export default function ProgramHealth() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const [today] = useState(() => dayjs().format('YYYY-MM-DD'));
  const from =
    parseDay(search.get('from')) ?? dayjs(today).subtract(30, 'day').format('YYYY-MM-DD');
  const to = parseDay(search.get('to')) ?? today;
  // [from, to) in UTC: the end day is included by asking up to the next midnight.
  const [result, refetch] = useQuery({
    query: ProgramHealthQuery,
    variables: {
      from: `${from}T00:00:00Z`,
      to: dayjs(to).add(1, 'day').format('YYYY-MM-DD') + 'T00:00:00Z',
    },
  });
  const h = result.data?.programHealth;

  return (
    <Page title={t('health.title')} ready={Boolean(h) || Boolean(result.error)}>
      <Group>
        <DatePickerInput
          type="range"
          label={t('report.period')}
          value={[from, to]}
          valueFormat="YYYY-MM-DD"
          onChange={([f, tt]) => {
            if (f && tt) void navigate(reportUrls.health({ from: f, to: tt }), { replace: true });
          }}
          miw={240}
        />
      </Group>
      {result.error ? (
        <QueryError error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      ) : null}
      {!h && !result.error ? <Loading /> : null}
      {h ? (
        <Stack gap="xl">
          <StatGrid>
            <Stat
              label={t('health.setup')}
              value={formatPercent(h.campaignSetupSuccess.value)}
              hint={t('health.ofN', { n: formatCount(h.campaignSetupSuccess.trials) })}
            />
            <Stat
              label={t('health.participation')}
              value={formatPercent(h.participation.value)}
              hint={t('health.ofN', { n: formatCount(h.participation.trials) })}
            />
            <Stat
              label={t('health.attribution')}
              value={formatPercent(h.attributionCorrectness.value)}
              hint={t('health.ofN', { n: formatCount(h.attributionCorrectness.trials) })}
            />
            <Stat
              label={t('health.fraud')}
              value={formatPercent(h.fraudPrevention.value)}
              hint={t('health.ofN', { n: formatCount(h.fraudPrevention.trials) })}
            />
            <Stat
              label={t('health.analysis')}
              value={formatPercent(h.analysisQuality.value)}
              hint={t('health.ofN', { n: formatCount(h.analysisQuality.trials) })}
            />
            <Stat
              label={t('health.p50')}
              value={formatNumber(h.rewardReleaseToPaidP50Hours)}
              hint={t('health.settled', { n: formatCount(h.rewardsSettled) })}
            />
            <Stat label={t('health.p95')} value={formatNumber(h.rewardReleaseToPaidP95Hours)} />
            <Stat
              label={t('health.clicks')}
              value={`${formatCount(h.trackingAccuracy.clicksRecorded)} / ${formatCount(h.trackingAccuracy.clicksReceived)}`}
              hint={t('health.lost', { n: formatCount(h.trackingAccuracy.clicksLost) })}
            />
            <Stat
              label={t('health.conversions')}
              value={formatCount(h.trackingAccuracy.conversionReports)}
              hint={t('health.failed', {
                n: formatCount(h.trackingAccuracy.conversionReportsFailed),
              })}
            />
          </StatGrid>
          <Section title={t('health.incentives')} id="incentives">
            {h.incentives.length === 0 ? (
              <Text size="sm">{t('report.noRows')}</Text>
            ) : (
              <ScrollTable minWidth={560}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('campaigns.col.name')}</Table.Th>
                      <Table.Th>{t('health.reward')}</Table.Th>
                      <Table.Th ta="right">{t('metric.clicks')}</Table.Th>
                      <Table.Th ta="right">{t('metric.customers')}</Table.Th>
                      <Table.Th ta="right">{t('health.participation')}</Table.Th>
                      <Table.Th ta="right">{t('report.conversion')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {h.incentives.map((c) => (
                      <Table.Tr key={c.campaignId}>
                        <Table.Td>{c.name}</Table.Td>
                        <Table.Td>{c.referrerRewardKind ?? '—'}</Table.Td>
                        <Table.Td ta="right">{formatCount(c.clicks)}</Table.Td>
                        <Table.Td ta="right">{formatCount(c.customers)}</Table.Td>
                        <Table.Td ta="right">{formatPercent(c.participation.value)}</Table.Td>
                        <Table.Td ta="right">{formatPercent(c.conversion?.value)}</Table.Td>
                      </Table.Tr>
                    ))}
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
