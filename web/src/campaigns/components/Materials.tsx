// Materials per channel (setCampaignMaterial) with a live preview of the share text and email.
import {
  Button,
  Card,
  Fieldset,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useFieldSink } from '../../app/fields';
import { CHANNELS, channelLabel } from '../../app/labels';
import { formatDateTime } from '../../format';
import type { CampaignFieldsFragment, Channel } from '../../graphql/generated/graphql';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { SetMaterialMutation } from '../mutations';
import { escapeValues, renderTemplate, type SampleValues } from '../preview';

interface MaterialValues {
  [key: string]: unknown;
  shareText: string;
  emailSubject: string;
  emailHtml: string;
  emailText: string;
}

function valuesFor(campaign: CampaignFieldsFragment, channel: Channel): MaterialValues {
  const m = campaign.materials.find((x) => x.channel === channel);
  return {
    shareText: m?.shareText ?? '',
    emailSubject: m?.emailSubject ?? '',
    emailHtml: m?.emailHtml ?? '',
    emailText: m?.emailText ?? '',
  };
}

export function Materials(props: {
  campaign: CampaignFieldsFragment;
  editable: boolean;
  onChanged: () => void;
}) {
  const { campaign } = props;
  const [channel, setChannel] = useState<Channel>('EMAIL');
  const form = useForm<MaterialValues>({ initialValues: valuesFor(campaign, 'EMAIL') });
  const sink = useFieldSink(form);
  const save = useApiMutation(SetMaterialMutation);
  const input = (path: string) => form.getInputProps(sink.track(path));

  const sample: SampleValues = {
    first_name: t('preview.firstName'),
    referral_link: `${window.location.origin}/r/ALEX7Q`,
    referral_code: 'ALEX7Q',
    campaign_name: campaign.name,
    company_name: t('preview.company'),
    reward_summary: t('preview.reward'),
    unsubscribe_url: '#unsubscribe',
  };
  const isEmail = channel === 'EMAIL';

  const submit = form.onSubmit(async (values) => {
    const outcome = await save.run(
      {
        campaignId: campaign.id,
        input: isEmail ? { channel, ...values } : { channel, shareText: values.shareText },
      },
      sink,
    );
    if (outcome.data) {
      notifications.show({
        color: 'green',
        message: t('materials.saved', { channel: channelLabel(channel) }),
      });
      props.onChanged();
    }
  });

  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Title order={2} size="h4">
          {t('materials.current')}
        </Title>
        {campaign.materials.length === 0 ? <Text>{t('materials.none')}</Text> : null}
        {campaign.materials.map((m) => (
          <Text key={m.id} size="sm">
            {t('materials.line', {
              channel: channelLabel(m.channel),
              when: formatDateTime(m.updatedAt),
            })}
          </Text>
        ))}
      </Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <form onSubmit={submit} noValidate>
          <Fieldset legend={t('materials.edit')} disabled={!props.editable}>
            <Stack>
              <Select
                label={t('field.channel')}
                data={CHANNELS.map((c) => ({ value: c, label: channelLabel(c) }))}
                value={channel}
                allowDeselect={false}
                onChange={(value) => {
                  const next = CHANNELS.find((c) => c === value) ?? 'EMAIL';
                  setChannel(next);
                  form.setValues(valuesFor(campaign, next));
                  form.clearErrors();
                }}
              />
              <Textarea
                label={t('field.shareText')}
                description={t('field.variablesHint')}
                autosize
                minRows={2}
                {...input('shareText')}
              />
              {isEmail ? (
                <>
                  <TextInput label={t('field.emailSubject')} {...input('emailSubject')} />
                  <Textarea
                    label={t('field.emailHtml')}
                    autosize
                    minRows={4}
                    {...input('emailHtml')}
                  />
                  <Textarea
                    label={t('field.emailText')}
                    autosize
                    minRows={3}
                    {...input('emailText')}
                  />
                </>
              ) : null}
              {props.editable ? (
                <Button
                  type="submit"
                  loading={save.fetching}
                  disabled={save.waiting}
                  style={{ alignSelf: 'flex-start' }}
                >
                  {t('materials.save', { channel: channelLabel(channel) })}
                </Button>
              ) : null}
            </Stack>
          </Fieldset>
        </form>
        <Stack gap="sm" aria-label={t('materials.preview')} role="region">
          <Title order={2} size="h4">
            {t('materials.preview')}
          </Title>
          <Card withBorder padding="sm">
            <Text size="xs" fw={600}>
              {t('materials.previewShare')}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="preview-share">
              {renderTemplate(form.values.shareText, sample)}
            </Text>
          </Card>
          {isEmail ? (
            <Card withBorder padding="sm">
              <Text size="xs" fw={600}>
                {t('materials.previewSubject')}
              </Text>
              <Text size="sm" data-testid="preview-subject">
                {renderTemplate(form.values.emailSubject, sample)}
              </Text>
              <Text size="xs" fw={600} mt="sm">
                {t('materials.previewHtml')}
              </Text>
              {/* sandbox="" : no scripts, no forms; the page's CSP still applies (no outside images). */}
              <iframe
                title={t('materials.previewHtml')}
                sandbox=""
                srcDoc={renderTemplate(form.values.emailHtml, escapeValues(sample))}
                style={{
                  width: '100%',
                  minHeight: 160,
                  border: '1px solid var(--mantine-color-gray-4)',
                }}
              />
              <Text size="xs" fw={600} mt="sm">
                {t('materials.previewText')}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="preview-text">
                {renderTemplate(form.values.emailText, sample)}
              </Text>
            </Card>
          ) : null}
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
