// Every field of CreateCampaignInput / UpdateCampaignInput, goals as focus area → objective → KPI.
import {
  ActionIcon,
  Autocomplete,
  Button,
  Card,
  Fieldset,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { DateInput } from '@mantine/dates';
import type { UseFormReturnType } from '@mantine/form';
import {
  ATTRIBUTION_MODELS,
  attributionLabel,
  KPI_METRICS,
  kpiMetricLabel,
} from '../../app/labels';
import { t } from '../../i18n';
import { parseLocalDateTime, type SettingsValues } from '../settings';

const TIME_ZONES: string[] = (() => {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  } catch {
    return ['UTC'];
  }
})();
const CURRENCIES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('currency');
  } catch {
    return ['EUR', 'USD', 'GBP'];
  }
})();

export function SettingsForm(props: {
  form: UseFormReturnType<SettingsValues>;
  track: (path: string) => string;
  draft: boolean;
}) {
  const { form, track } = props;
  const input = (path: string) => form.getInputProps(track(path));
  // Errors about a whole list are shown under it.
  track('goals');
  track('audience');

  return (
    <Stack gap="lg">
      <Fieldset legend={t('builder.section.basics')}>
        <Stack>
          <TextInput label={t('field.name')} required {...input('name')} />
          <Textarea label={t('field.description')} autosize minRows={2} {...input('description')} />
        </Stack>
      </Fieldset>

      <Fieldset legend={t('builder.section.schedule')}>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <DateInput
            label={t('field.startsAt')}
            description={t('field.dateHint')}
            withTime
            valueFormat="YYYY-MM-DD HH:mm"
            dateParser={parseLocalDateTime}
            clearable
            clearButtonProps={{ 'aria-label': t('field.clear', { label: t('field.startsAt') }) }}
            required
            {...input('startsAt')}
          />
          <DateInput
            label={t('field.endsAt')}
            description={t('field.dateHint')}
            withTime
            valueFormat="YYYY-MM-DD HH:mm"
            dateParser={parseLocalDateTime}
            clearable
            clearButtonProps={{ 'aria-label': t('field.clear', { label: t('field.endsAt') }) }}
            {...input('endsAt')}
          />
          <Autocomplete
            label={t('field.timeZone')}
            description={t('field.timeZoneHint')}
            data={TIME_ZONES}
            limit={20}
            required
            {...input('timeZone')}
          />
        </SimpleGrid>
      </Fieldset>

      <Fieldset legend={t('builder.section.money')}>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Autocomplete
            label={t('field.currency')}
            description={props.draft ? t('field.currencyHint') : t('field.draftOnly')}
            data={CURRENCIES}
            limit={20}
            disabled={!props.draft}
            required
            {...input('currency')}
          />
          <TextInput
            label={t('field.budget')}
            description={t('field.budgetHint')}
            inputMode="decimal"
            {...input('budgetMinor')}
          />
        </SimpleGrid>
      </Fieldset>

      <Fieldset legend={t('builder.section.attribution')}>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumberInput
            label={t('field.attributionWindowDays')}
            allowDecimal={false}
            required
            {...input('attributionWindowDays')}
          />
          <Select
            label={t('field.attributionModel')}
            data={ATTRIBUTION_MODELS.map((m) => ({ value: m, label: attributionLabel(m) }))}
            clearable
            clearButtonProps={{
              'aria-label': t('field.clear', { label: t('field.attributionModel') }),
            }}
            required
            {...input('attributionModel')}
          />
          <NumberInput
            label={t('field.holdDays')}
            description={t('field.holdDaysHint')}
            allowDecimal={false}
            required
            {...input('holdDays')}
          />
          <NumberInput
            label={t('field.holdout')}
            description={props.draft ? t('field.holdoutHint') : t('field.draftOnly')}
            decimalScale={2}
            suffix=" %"
            disabled={!props.draft}
            {...input('holdoutBps')}
          />
        </SimpleGrid>
        <TextInput
          mt="md"
          label={t('field.landingUrl')}
          description={t('field.landingUrlHint')}
          type="url"
          {...input('landingUrl')}
        />
      </Fieldset>

      <Fieldset legend={t('builder.section.audience')}>
        <Text size="sm" mb="sm">
          {t('builder.audienceHint')}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TagsInput label={t('field.tagsAny')} {...input('audience.tagsAny')} />
          <TagsInput label={t('field.tagsAll')} {...input('audience.tagsAll')} />
          <NumberInput
            label={t('field.minOrders')}
            allowDecimal={false}
            {...input('audience.minOrders')}
          />
          <TagsInput
            label={t('field.countries')}
            description={t('field.countriesHint')}
            {...input('audience.countries')}
          />
        </SimpleGrid>
        <Text size="xs" c="red" role="alert">
          {form.errors.audience as string | undefined}
        </Text>
      </Fieldset>

      <Fieldset legend={t('builder.section.goals')}>
        <GoalsEditor form={form} track={track} />
      </Fieldset>
    </Stack>
  );
}

function GoalsEditor(props: {
  form: UseFormReturnType<SettingsValues>;
  track: (path: string) => string;
}) {
  const { form, track } = props;
  const input = (path: string) => form.getInputProps(track(path));
  const goalsError = form.errors.goals;
  return (
    <Stack>
      {typeof goalsError === 'string' ? (
        <Text size="sm" c="red" role="alert">
          {goalsError}
        </Text>
      ) : null}
      {form.values.goals.map((goal, gi) => (
        <Card key={gi} withBorder padding="sm">
          <Stack gap="sm">
            <Group align="flex-end" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                label={t('field.focusArea', { n: gi + 1 })}
                description={t('field.focusAreaHint')}
                required
                {...input(`goals.${gi}.name`)}
              />
              <Button variant="subtle" color="red" onClick={() => form.removeListItem('goals', gi)}>
                {t('builder.remove')}
              </Button>
            </Group>
            {goal.objectives.map((objective, oi) => (
              <Card key={oi} withBorder padding="sm" ml={{ base: 0, sm: 'md' }}>
                <Stack gap="sm">
                  <Group align="flex-end" wrap="nowrap">
                    <TextInput
                      style={{ flex: 1 }}
                      label={t('field.objective', { n: oi + 1 })}
                      required
                      {...input(`goals.${gi}.objectives.${oi}.name`)}
                    />
                    <Button
                      variant="subtle"
                      color="red"
                      onClick={() => form.removeListItem(`goals.${gi}.objectives`, oi)}
                    >
                      {t('builder.remove')}
                    </Button>
                  </Group>
                  {objective.kpis.map((_, ki) => {
                    const at = `goals.${gi}.objectives.${oi}.kpis.${ki}`;
                    return (
                      <SimpleGrid key={ki} cols={{ base: 1, sm: 4 }} ml={{ base: 0, sm: 'md' }}>
                        <Select
                          label={t('field.kpiMetric', { n: ki + 1 })}
                          data={KPI_METRICS.map((m) => ({ value: m, label: kpiMetricLabel(m) }))}
                          required
                          {...input(`${at}.metric`)}
                        />
                        <NumberInput
                          label={t('field.kpiTarget')}
                          description={t('field.kpiTargetHint')}
                          decimalScale={4}
                          required
                          {...input(`${at}.target`)}
                        />
                        <DateInput
                          label={t('field.kpiDue')}
                          valueFormat="YYYY-MM-DD"
                          required
                          {...input(`${at}.due`)}
                        />
                        <Group align="flex-end">
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            size="lg"
                            aria-label={t('builder.removeKpi', { n: ki + 1 })}
                            onClick={() =>
                              form.removeListItem(`goals.${gi}.objectives.${oi}.kpis`, ki)
                            }
                          >
                            ×
                          </ActionIcon>
                        </Group>
                      </SimpleGrid>
                    );
                  })}
                  <Button
                    variant="light"
                    size="xs"
                    style={{ alignSelf: 'flex-start' }}
                    onClick={() =>
                      form.insertListItem(`goals.${gi}.objectives.${oi}.kpis`, {
                        metric: 'REFERRALS',
                        target: '',
                        due: null,
                      })
                    }
                  >
                    {t('builder.addKpi')}
                  </Button>
                </Stack>
              </Card>
            ))}
            <Button
              variant="light"
              size="xs"
              style={{ alignSelf: 'flex-start' }}
              onClick={() => form.insertListItem(`goals.${gi}.objectives`, { name: '', kpis: [] })}
            >
              {t('builder.addObjective')}
            </Button>
          </Stack>
        </Card>
      ))}
      <Button
        variant="light"
        style={{ alignSelf: 'flex-start' }}
        onClick={() => form.insertListItem('goals', { name: '', objectives: [] })}
      >
        {t('builder.addFocusArea')}
      </Button>
    </Stack>
  );
}
