import {
  Anchor,
  Button,
  Checkbox,
  Group,
  SegmentedControl,
  Table,
  Text,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, Loading, Page, QueryError } from '../../app/Page';
import { Pager } from '../../app/Pager';
import { readPage } from '../../app/paging';
import { useCan } from '../../auth/useSession';
import { formatDateTime, formatPercent } from '../../format';
import type { CampaignStatus } from '../../graphql/generated/graphql';
import { t } from '../../i18n';
import { statusLabel } from '../../app/labels';
import { HeadlineCells, HeadlineHeads } from '../../reports/components/Headlines';
import { COMPARE_MAX, COMPARE_MIN, reportUrls } from '../../reports/urls';
import { ImportDesign } from '../components/ImportDesign';
import { StatusBadge } from '../components/StatusBadge';
import { CampaignListQuery } from '../queries';
import { campaignUrls, parseStatus } from '../urls';
import { ScrollTable } from '../../app/ScrollTable';

const PAGE_SIZE = 10;
const FILTERS: readonly (CampaignStatus | 'ALL')[] = ['ALL', 'DRAFT', 'ACTIVE', 'PAUSED', 'ENDED'];

export default function CampaignList() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const page = readPage(search);
  const status = parseStatus(search.get('status'));
  const canEdit = useCan('campaigns.edit');
  const canReport = useCan('reports.read');

  // Who reads reports gets each campaign's numbers since its start in the same request.
  const [list, refetch] = useQuery({
    query: CampaignListQuery,
    variables: {
      first: PAGE_SIZE,
      after: page.after,
      filter: status ? { status } : null,
      withNumbers: canReport,
    },
  });
  const campaigns = list.data?.campaigns.nodes;
  const ready = Boolean(list.data);

  // Campaigns ticked for comparison, in the order ticked (kept across pages and filters).
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (id: string, on: boolean) =>
    setSelected((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));
  const canCompare = selected.length >= COMPARE_MIN && selected.length <= COMPARE_MAX;

  return (
    <Page
      title={t('campaigns.title')}
      ready={ready}
      actions={
        canEdit ? (
          <>
            <Button component={Link} to={campaignUrls.create()}>
              {t('campaigns.new')}
            </Button>
            <ImportDesign />
          </>
        ) : null
      }
    >
      <SegmentedControl
        aria-label={t('campaigns.filter')}
        value={status ?? 'ALL'}
        data={FILTERS.map((f) => ({
          value: f,
          label: f === 'ALL' ? t('campaigns.all') : statusLabel(f),
        }))}
        onChange={(value) => void navigate(campaignUrls.list({ status: parseStatus(value) }))}
        style={{ alignSelf: 'flex-start', maxWidth: '100%', overflowX: 'auto' }}
      />
      {list.error ? (
        <QueryError error={list.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      ) : null}
      {!list.data && !list.error ? <Loading /> : null}
      {campaigns && campaigns.length === 0 ? <Empty>{t('campaigns.empty')}</Empty> : null}
      {canReport && campaigns && campaigns.length > 0 ? (
        <Group gap="sm">
          <Button
            variant="light"
            disabled={!canCompare}
            onClick={() => void navigate(reportUrls.compare(selected))}
          >
            {t('campaigns.compare')}
          </Button>
          <Text size="sm" aria-live="polite">
            {t('campaigns.selected', { n: selected.length, min: COMPARE_MIN, max: COMPARE_MAX })}
          </Text>
        </Group>
      ) : null}
      {campaigns && campaigns.length > 0 ? (
        <ScrollTable minWidth={canReport ? 900 : 860}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                {canReport ? (
                  <Table.Th w={40}>
                    <VisuallyHidden>{t('campaigns.selectColumn')}</VisuallyHidden>
                  </Table.Th>
                ) : null}
                <Table.Th>{t('campaigns.col.name')}</Table.Th>
                <Table.Th>{t('campaigns.col.status')}</Table.Th>
                <Table.Th>{t('campaigns.col.starts')}</Table.Th>
                {canReport ? (
                  <>
                    <HeadlineHeads />
                    <Table.Th ta="right">{t('metric.budgetUsed')}</Table.Th>
                  </>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {campaigns.map((c) => {
                const used = c.headline?.budgetUsedShare ?? null;
                return (
                  <Table.Tr key={c.id}>
                    {canReport ? (
                      <Table.Td>
                        <Checkbox
                          aria-label={t('campaigns.select', { name: c.name })}
                          checked={selected.includes(c.id)}
                          disabled={!selected.includes(c.id) && selected.length >= COMPARE_MAX}
                          onChange={(e) => toggle(c.id, e.currentTarget.checked)}
                        />
                      </Table.Td>
                    ) : null}
                    <Table.Td>
                      <Anchor component={Link} to={campaignUrls.detail(c.id)}>
                        {c.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={c.status} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(c.startsAt)}</Text>
                    </Table.Td>
                    {canReport ? (
                      <>
                        <HeadlineCells row={c.headline} />
                        <Table.Td ta="right">{used === null ? '—' : formatPercent(used)}</Table.Td>
                      </>
                    ) : null}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      ) : null}
      {list.data ? (
        <Pager
          label={t('campaigns.paging')}
          page={page}
          hasNextPage={list.data.campaigns.pageInfo.hasNextPage}
          endCursor={list.data.campaigns.pageInfo.endCursor}
          onChange={(next) => void navigate(campaignUrls.list({ status, page: next }))}
        />
      ) : null}
      {canReport ? null : (
        <Group>
          <Text size="sm" c="dimmed">
            {t('campaigns.noNumbers')}
          </Text>
        </Group>
      )}
    </Page>
  );
}
