// One campaign's participants (its enrolments, newest first): search them (on the server: part of
// an email, customer id or name, or a code exactly), enrol one, import a CSV, and each
// participant's links.
import { Anchor, Badge, Stack, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, Loading, Page, QueryError } from '../../app/Page';
import { Pager } from '../../app/Pager';
import { readPage } from '../../app/paging';
import { useCan } from '../../auth/useSession';
import { CampaignNav } from '../../campaigns/components/CampaignNav';
import { formatDateTime } from '../../format';
import { t } from '../../i18n';
import { CsvImport } from '../components/CsvImport';
import { EnrolForm } from '../components/EnrolForm';
import { CampaignEnrolmentsQuery } from '../queries';
import { participantUrls } from '../urls';
import { ScrollTable } from '../../app/ScrollTable';

const PAGE_SIZE = 20;
/** How long typing pauses before the search is sent. */
const SEARCH_DELAY_MS = 300;

export default function ParticipantList() {
  const { id = '' } = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const page = readPage(search);
  const q = search.get('q') ?? '';
  const [text, setText] = useState(q);
  const [typed] = useDebouncedValue(text, SEARCH_DELAY_MS);
  useEffect(() => {
    // A new search starts again from the first page; the URL keeps it for reloads and links.
    if (typed.trim() !== q.trim()) {
      void navigate(participantUrls.list(id, { q: typed.trim() }), { replace: true });
    }
  }, [typed, q, id, navigate]);
  const canImport = useCan('participants.import');
  const needle = q.trim();
  const [result, refetch] = useQuery({
    query: CampaignEnrolmentsQuery,
    variables: { id, first: PAGE_SIZE, after: page.after, search: needle || null },
  });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const campaign = result.data?.campaign;
  const rows = campaign?.enrolments.nodes ?? [];
  const editable = campaign ? campaign.status !== 'ENDED' : false;

  return (
    <Page
      title={
        campaign ? t('participants.title', { name: campaign.name }) : t('participants.titleLoading')
      }
      ready={Boolean(campaign) && !result.fetching}
      nav={<CampaignNav id={id} status={campaign?.status} />}
    >
      {result.error ? <QueryError error={result.error} retry={reload} /> : null}
      {!campaign && !result.error ? <Loading /> : null}
      {campaign ? (
        <Stack gap="lg">
          {editable ? <EnrolForm campaignId={id} onEnrolled={reload} /> : null}
          {editable && canImport ? <CsvImport campaignId={id} onDone={reload} /> : null}
          <TextInput
            type="search"
            label={t('participants.search')}
            description={t('participants.searchHint')}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            maw={420}
          />
          {rows.length === 0 ? (
            <Empty>{needle ? t('participants.noMatch') : t('participants.empty')}</Empty>
          ) : (
            <ScrollTable minWidth={720}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('participants.externalId')}</Table.Th>
                    <Table.Th>{t('participants.email')}</Table.Th>
                    <Table.Th>{t('participants.code')}</Table.Th>
                    <Table.Th>{t('participants.bucket')}</Table.Th>
                    <Table.Th>{t('participants.enrolledAt')}</Table.Th>
                    <Table.Th>{t('participants.links')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>{e.participant.externalId}</Table.Td>
                      <Table.Td>{e.participant.email}</Table.Td>
                      <Table.Td>{e.referralCode ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={e.eligible ? 'blue' : 'gray'}>
                          {e.bucket}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={participantUrls.links(id, e.participantId, e.id)}
                        >
                          {t('participants.viewLinks', { name: e.participant.externalId })}
                        </Anchor>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          )}
          <Pager
            label={t('participants.paging')}
            page={page}
            hasNextPage={campaign.enrolments.pageInfo.hasNextPage}
            endCursor={campaign.enrolments.pageInfo.endCursor}
            onChange={(next) => void navigate(participantUrls.list(id, { q, page: next }))}
          />
        </Stack>
      ) : null}
    </Page>
  );
}
