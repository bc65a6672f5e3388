// Enrol one participant (enrollParticipant); server field errors beside their inputs.
import {
  Button,
  Fieldset,
  NumberInput,
  SimpleGrid,
  Stack,
  TagsInput,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useFieldSink } from '../../app/fields';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { EnrollParticipantMutation } from '../mutations';

interface EnrolValues {
  [key: string]: unknown;
  externalId: string;
  email: string;
  firstName: string;
  tags: string[];
  orderCount: number | string;
  country: string;
}

const initial: EnrolValues = {
  externalId: '',
  email: '',
  firstName: '',
  tags: [],
  orderCount: 0,
  country: '',
};

export function EnrolForm(props: { campaignId: string; onEnrolled: () => void }) {
  const form = useForm<EnrolValues>({
    initialValues: initial,
    validate: {
      externalId: (v) => (v.trim() ? null : t('field.required')),
      email: (v) => (v.trim() ? null : t('field.required')),
    },
  });
  const sink = useFieldSink(form);
  const enrol = useApiMutation(EnrollParticipantMutation);
  const input = (path: string) => form.getInputProps(sink.track(path));

  const submit = form.onSubmit(async (v) => {
    const outcome = await enrol.run(
      {
        campaignId: props.campaignId,
        input: {
          externalId: v.externalId.trim(),
          email: v.email.trim(),
          firstName: v.firstName.trim() || null,
          tags: v.tags,
          orderCount: typeof v.orderCount === 'number' ? v.orderCount : 0,
          country: v.country.trim() || null,
        },
      },
      sink,
    );
    if (outcome.data) {
      notifications.show({
        color: 'green',
        message: t('participants.enrolled', {
          code: outcome.data.enrollParticipant.referralCode ?? '—',
        }),
      });
      form.reset();
      props.onEnrolled();
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Fieldset legend={t('participants.enrolTitle')}>
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label={t('participants.externalId')} required {...input('externalId')} />
            <TextInput label={t('participants.email')} type="email" required {...input('email')} />
            <TextInput label={t('participants.firstName')} {...input('firstName')} />
            <TagsInput label={t('participants.tags')} {...input('tags')} />
            <NumberInput
              label={t('participants.orderCount')}
              allowDecimal={false}
              min={0}
              {...input('orderCount')}
            />
            <TextInput label={t('participants.country')} maxLength={2} {...input('country')} />
          </SimpleGrid>
          <Button
            type="submit"
            loading={enrol.fetching}
            disabled={enrol.waiting}
            style={{ alignSelf: 'flex-start' }}
          >
            {t('participants.enrol')}
          </Button>
        </Stack>
      </Fieldset>
    </form>
  );
}
