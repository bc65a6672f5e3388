import {
  Badge,
  Button,
  Card,
  Group,
  List,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { fileSlug, saveText } from '../../app/download';
import { Loading, Page, QueryError } from '../../app/Page';
import {
  attributionLabel,
  channelLabel,
  kindLabel,
  kpiMetricLabel,
  rewardTypeLabel,
  sideLabel,
  triggerLabel,
} from '../../app/labels';
import { useCan } from '../../auth/useSession';
import { formatDateTime, formatDay, formatMoney, formatNumber, formatPercent } from '../../format';
import { classifyError } from '../../graphql/errors';
import { problemMessage, useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { CampaignNav } from '../components/CampaignNav';
import { LifecycleActions } from '../components/LifecycleActions';
import { StatusBadge } from '../components/StatusBadge';
import { ImportCampaignMutation } from '../mutations';
import { CampaignQuery, ExportCampaignQuery } from '../queries';
import { campaignUrls } from '../urls';
import { ScrollTable } from '../../app/ScrollTable';

function Field(props: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" fw={600} c="dimmed">
        {props.label}
      </Text>
      <Text size="sm">{props.children}</Text>
    </Stack>
  );
}

export default function CampaignDetail() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const client = useClient();
  const canEdit = useCan('campaigns.edit');
  const [result, refetch] = useQuery({ query: CampaignQuery, variables: { id } });
  const duplicate = useApiMutation(ImportCampaignMutation);
  const c = result.data?.campaign;
  const reload = () => refetch({ requestPolicy: 'network-only' });

  const fetchDesign = async (): Promise<unknown> => {
    const r = await client
      .query(ExportCampaignQuery, { id }, { requestPolicy: 'network-only' })
      .toPromise();
    if (r.error) {
      notifications.show({ color: 'red', message: problemMessage(classifyError(r.error)) });
      return null;
    }
    return r.data?.exportCampaign ?? null;
  };

  const exportDesign = async () => {
    const design = await fetchDesign();
    if (design && c)
      saveText(
        JSON.stringify(design, null, 2),
        `${fileSlug(c.name)}.campaign.json`,
        'application/json',
      );
  };

  const duplicateCampaign = async () => {
    const design = await fetchDesign();
    if (!design || !c) return;
    const outcome = await duplicate.run({
      document: design,
      name: t('detail.copyName', { name: c.name }),
    });
    if (outcome.data) {
      notifications.show({ color: 'green', message: t('detail.duplicated') });
      void navigate(campaignUrls.detail(outcome.data.importCampaign.id));
    }
  };

  return (
    <Page
      title={c?.name ?? t('detail.loading')}
      ready={Boolean(c)}
      nav={<CampaignNav id={id} status={c?.status} />}
      actions={
        c && canEdit ? (
          <>
            <LifecycleActions id={c.id} name={c.name} status={c.status} onChanged={reload} />
            {c.status !== 'ENDED' ? (
              <Button variant="default" component={Link} to={campaignUrls.edit(c.id)}>
                {t('detail.edit')}
              </Button>
            ) : null}
            <Button
              variant="default"
              loading={duplicate.fetching}
              onClick={() => void duplicateCampaign()}
            >
              {t('detail.duplicate')}
            </Button>
            <Button variant="default" onClick={() => void exportDesign()}>
              {t('detail.export')}
            </Button>
          </>
        ) : null
      }
    >
      {result.error ? <QueryError error={result.error} retry={reload} /> : null}
      {!c && !result.error ? <Loading /> : null}
      {c ? (
        <Stack gap="lg">
          <Group gap="sm">
            <StatusBadge status={c.status} />
            {c.description ? <Text size="sm">{c.description}</Text> : null}
          </Group>
          <Card withBorder>
            <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
              <Field label={t('field.startsAt')}>
                {formatDateTime(c.startsAt, undefined, c.timeZone)}
              </Field>
              <Field label={t('field.endsAt')}>
                {formatDateTime(c.endsAt, undefined, c.timeZone)}
              </Field>
              <Field label={t('field.timeZone')}>{c.timeZone}</Field>
              <Field label={t('field.currency')}>{c.currency}</Field>
              <Field label={t('field.budget')}>
                {c.budget ? formatMoney(c.budget) : t('detail.noBudget')}
              </Field>
              <Field label={t('field.attributionWindowDays')}>
                {formatNumber(c.attributionWindowDays)}
              </Field>
              <Field label={t('field.attributionModel')}>
                {attributionLabel(c.attributionModel)}
              </Field>
              <Field label={t('field.holdDays')}>{formatNumber(c.holdDays)}</Field>
              <Field label={t('field.holdout')}>{formatPercent(c.holdoutBps / 10000)}</Field>
              <Field label={t('field.landingUrl')}>{c.landingUrl ?? '—'}</Field>
              <Field label={t('detail.launchedAt')}>{formatDateTime(c.launchedAt)}</Field>
              <Field label={t('detail.updatedAt')}>{formatDateTime(c.updatedAt)}</Field>
            </SimpleGrid>
          </Card>

          <Stack gap="xs">
            <Title order={2} size="h4">
              {t('builder.section.audience')}
            </Title>
            <Text size="sm">
              {c.audience.tagsAny.length +
                c.audience.tagsAll.length +
                c.audience.countries.length ===
                0 && c.audience.minOrders === null
                ? t('detail.everyone')
                : t('detail.audienceLine', {
                    any: c.audience.tagsAny.join(', ') || '—',
                    all: c.audience.tagsAll.join(', ') || '—',
                    min: c.audience.minOrders ?? '—',
                    countries: c.audience.countries.join(', ') || '—',
                  })}
            </Text>
          </Stack>

          <Stack gap="xs">
            <Title order={2} size="h4">
              {t('builder.section.goals')}
            </Title>
            {c.goals.length === 0 ? <Text size="sm">{t('detail.noGoals')}</Text> : null}
            <List size="sm">
              {c.goals.map((g) => (
                <List.Item key={g.name}>
                  {g.name}
                  <List withPadding size="sm">
                    {g.objectives.map((o) => (
                      <List.Item key={o.name}>
                        {o.name}
                        <List withPadding size="sm">
                          {o.kpis.map((k) => (
                            <List.Item key={`${k.metric}${k.due}`}>
                              {t('detail.kpiLine', {
                                metric: kpiMetricLabel(k.metric),
                                target: formatNumber(k.target, undefined, 4),
                                due: formatDay(k.due),
                              })}
                            </List.Item>
                          ))}
                        </List>
                      </List.Item>
                    ))}
                  </List>
                </List.Item>
              ))}
            </List>
          </Stack>

          <Stack gap="xs">
            <Title order={2} size="h4">
              {t('builder.tab.rewards')}
            </Title>
            {c.rewardRules.length === 0 ? <Text size="sm">{t('rules.none')}</Text> : null}
            {c.rewardRules.length > 0 ? (
              <ScrollTable minWidth={600}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('field.side')}</Table.Th>
                      <Table.Th>{t('field.trigger')}</Table.Th>
                      <Table.Th>{t('field.kind')}</Table.Th>
                      <Table.Th>{t('field.rewardType')}</Table.Th>
                      <Table.Th>{t('detail.ruleValue')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {c.rewardRules.map((r) => (
                      <Table.Tr key={r.id}>
                        <Table.Td>{sideLabel(r.side)}</Table.Td>
                        <Table.Td>{triggerLabel(r.trigger)}</Table.Td>
                        <Table.Td>{kindLabel(r.kind)}</Table.Td>
                        <Table.Td>{rewardTypeLabel(r.rewardType)}</Table.Td>
                        <Table.Td>
                          {r.kind === 'FIXED' ? formatMoney(r.amount) : null}
                          {r.kind === 'PERCENT' && typeof r.bps === 'number'
                            ? formatPercent(r.bps / 10000)
                            : null}
                          {r.kind === 'TIERED'
                            ? r.tiers
                                .map((tier) =>
                                  t('rules.tierLine', {
                                    from: tier.fromCount,
                                    amount: formatMoney({
                                      amountMinor: tier.amountMinor,
                                      currency: c.currency,
                                    }),
                                  }),
                                )
                                .join('; ')
                            : null}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
            ) : null}
          </Stack>

          <Stack gap="xs">
            <Title order={2} size="h4">
              {t('builder.tab.materials')}
            </Title>
            {c.materials.length === 0 ? <Text size="sm">{t('materials.none')}</Text> : null}
            <Group gap="xs">
              {c.materials.map((m) => (
                <Badge key={m.id} variant="outline">
                  {channelLabel(m.channel)}
                </Badge>
              ))}
            </Group>
          </Stack>

          <Stack gap="xs">
            <Title order={2} size="h4">
              {t('builder.tab.variants')}
            </Title>
            {c.variants.length === 0 ? <Text size="sm">{t('variants.none')}</Text> : null}
            <List size="sm">
              {c.variants.map((v) => (
                <List.Item key={v.id}>
                  {t('detail.variantLine', { name: v.name, weight: v.weight })}
                </List.Item>
              ))}
            </List>
          </Stack>
        </Stack>
      ) : null}
    </Page>
  );
}
