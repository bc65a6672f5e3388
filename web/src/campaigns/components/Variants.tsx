// Offer variants (setCampaignVariants replaces the list; drafts only).
import { Button, Fieldset, Group, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useFieldSink } from '../../app/fields';
import { formatDateTime } from '../../format';
import type { CampaignFieldsFragment } from '../../graphql/generated/graphql';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { SetVariantsMutation } from '../mutations';

interface VariantValues {
  [key: string]: unknown;
  variants: { name: string; weight: number | string }[];
}

export function Variants(props: {
  campaign: CampaignFieldsFragment;
  editable: boolean;
  onChanged: () => void;
}) {
  const { campaign } = props;
  const form = useForm<VariantValues>({
    initialValues: { variants: campaign.variants.map((v) => ({ name: v.name, weight: v.weight })) },
  });
  const sink = useFieldSink(form);
  const save = useApiMutation(SetVariantsMutation);
  const input = (path: string) => form.getInputProps(sink.track(path));
  sink.track('variants');

  const submit = form.onSubmit(async (values) => {
    const outcome = await save.run(
      {
        campaignId: campaign.id,
        variants: values.variants.map((v) => ({
          name: v.name,
          weight: typeof v.weight === 'number' ? v.weight : 0,
        })),
      },
      sink,
    );
    if (outcome.data) {
      notifications.show({ color: 'green', message: t('variants.saved') });
      props.onChanged();
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Fieldset legend={t('variants.title')} disabled={!props.editable}>
        <Stack>
          <Text size="sm">{props.editable ? t('variants.hint') : t('variants.locked')}</Text>
          {typeof form.errors.variants === 'string' ? (
            <Text c="red" size="sm" role="alert">
              {form.errors.variants}
            </Text>
          ) : null}
          {form.values.variants.length === 0 ? <Text>{t('variants.none')}</Text> : null}
          {form.values.variants.map((_, i) => {
            const stopped = campaign.variants[i]?.stoppedAt;
            return (
              <Group key={i} align="flex-end" wrap="wrap">
                <TextInput
                  label={t('field.variantName', { n: i + 1 })}
                  required
                  {...input(`variants.${i}.name`)}
                />
                <NumberInput
                  label={t('field.variantWeight', { n: i + 1 })}
                  allowDecimal={false}
                  required
                  {...input(`variants.${i}.weight`)}
                />
                {stopped ? (
                  <Text size="sm">{t('variants.stopped', { when: formatDateTime(stopped) })}</Text>
                ) : null}
                {props.editable ? (
                  <Button
                    variant="subtle"
                    color="red"
                    onClick={() => form.removeListItem('variants', i)}
                  >
                    {t('builder.remove')}
                  </Button>
                ) : null}
              </Group>
            );
          })}
          {props.editable ? (
            <Group>
              <Button
                variant="light"
                onClick={() => form.insertListItem('variants', { name: '', weight: 1 })}
              >
                {t('variants.add')}
              </Button>
              <Button type="submit" loading={save.fetching} disabled={save.waiting}>
                {t('variants.save')}
              </Button>
            </Group>
          ) : null}
        </Stack>
      </Fieldset>
    </form>
  );
}
