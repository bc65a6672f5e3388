// A participant's links in one campaign: copy, QR download (same-origin /qr/{code}.png|.svg),
// and a new vanity or per-channel link.
import {
  Anchor,
  Badge,
  Button,
  Card,
  CopyButton,
  Fieldset,
  Group,
  Image,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useFieldSink } from '../../app/fields';
import { CHANNELS, channelLabel } from '../../app/labels';
import { Empty, Loading, Page, QueryError } from '../../app/Page';
import { CampaignNav } from '../../campaigns/components/CampaignNav';
import { formatCount, formatDateTime } from '../../format';
import type { Channel } from '../../graphql/generated/graphql';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { CreateReferralLinkMutation } from '../mutations';
import { ParticipantLinksQuery } from '../queries';
import { participantUrls } from '../urls';

export default function ParticipantLinks() {
  const { id = '', participantId = '' } = useParams();
  const [search] = useSearchParams();
  const enrolmentId = search.get('enrolment');
  const [result, refetch] = useQuery({
    query: ParticipantLinksQuery,
    variables: { participantId, campaignId: id },
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const p = result.data?.participant;
  const campaign = result.data?.campaign;

  return (
    <Page
      title={p ? t('links.title', { name: p.firstName ?? p.externalId }) : t('links.titleLoading')}
      ready={Boolean(p)}
      nav={<CampaignNav id={id} status={campaign?.status} />}
    >
      {result.error ? <QueryError error={result.error} retry={reload} /> : null}
      {!p && !result.error ? <Loading /> : null}
      {p ? (
        <Stack gap="lg">
          <Text size="sm">{t('links.who', { email: p.email, id: p.externalId })}</Text>
          {p.links.length === 0 ? <Empty>{t('links.none')}</Empty> : null}
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {p.links.map((link) => (
              <Card key={link.id} withBorder>
                <Stack gap="xs">
                  <Group gap="xs">
                    <Text fw={700}>{link.code}</Text>
                    <Badge variant="light">{link.kind}</Badge>
                    {link.channel ? (
                      <Badge variant="outline">{channelLabel(link.channel)}</Badge>
                    ) : null}
                  </Group>
                  <Text size="sm" data-testid="link-url">
                    {link.url}
                  </Text>
                  <Text size="xs">
                    {t('links.stats', {
                      clicks: formatCount(link.stats.clicks),
                      visitors: formatCount(link.stats.uniqueVisitors),
                      when: formatDateTime(link.createdAt),
                    })}
                  </Text>
                  <Image
                    src={participantUrls.qr(link.code, 'svg')}
                    alt={t('links.qrAlt', { code: link.code })}
                    w={120}
                    h={120}
                  />
                  <Group gap="xs">
                    <CopyButton value={link.url}>
                      {({ copied, copy }) => (
                        <Button size="xs" variant={copied ? 'filled' : 'default'} onClick={copy}>
                          {copied ? t('links.copied') : t('links.copy')}
                        </Button>
                      )}
                    </CopyButton>
                    <Anchor
                      size="sm"
                      href={participantUrls.qr(link.code, 'png')}
                      download={`${link.code}.png`}
                    >
                      {t('links.qrPng')}
                    </Anchor>
                    <Anchor
                      size="sm"
                      href={participantUrls.qr(link.code, 'svg')}
                      download={`${link.code}.svg`}
                    >
                      {t('links.qrSvg')}
                    </Anchor>
                  </Group>
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
          {enrolmentId && campaign?.status !== 'ENDED' ? (
            <NewLink enrolmentId={enrolmentId} onCreated={reload} />
          ) : null}
        </Stack>
      ) : null}
    </Page>
  );
}

function NewLink(props: { enrolmentId: string; onCreated: () => void }) {
  const form = useForm<{ [key: string]: unknown; vanity: string; channel: Channel | null }>({
    initialValues: { vanity: '', channel: null },
  });
  const sink = useFieldSink(form);
  const create = useApiMutation(CreateReferralLinkMutation);
  const submit = form.onSubmit(async (v) => {
    const outcome = await create.run(
      { enrolmentId: props.enrolmentId, channel: v.channel, vanity: v.vanity.trim() || null },
      sink,
    );
    if (outcome.data) {
      notifications.show({
        color: 'green',
        message: t('links.created', { code: outcome.data.createReferralLink.code }),
      });
      form.reset();
      props.onCreated();
    }
  });
  sink.track('vanityCode');
  return (
    <form onSubmit={submit} noValidate>
      <Fieldset legend={t('links.newTitle')}>
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label={t('links.vanity')}
            {...form.getInputProps(sink.track('vanity'))}
            error={form.errors.vanity ?? form.errors.vanityCode}
          />
          <Select
            label={t('links.channel')}
            data={CHANNELS.map((c) => ({ value: c, label: channelLabel(c) }))}
            clearable
            clearButtonProps={{ 'aria-label': t('field.clear', { label: t('links.channel') }) }}
            {...form.getInputProps(sink.track('channel'))}
          />
          <Button type="submit" loading={create.fetching} disabled={create.waiting}>
            {t('links.create')}
          </Button>
        </Group>
      </Fieldset>
    </form>
  );
}
