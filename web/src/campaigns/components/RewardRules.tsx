// Reward rules: the list (remove) and a form for one more rule (addRewardRule). Double-sided
// campaigns add one rule per side; tiers and milestones are lists inside the rule.
import {
  Badge,
  Button,
  Card,
  Fieldset,
  Group,
  List,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useFieldSink } from '../../app/fields';
import {
  kindLabel,
  REWARD_KINDS,
  REWARD_SIDES,
  REWARD_TRIGGERS,
  REWARD_TYPES,
  rewardTypeLabel,
  sideLabel,
  triggerLabel,
} from '../../app/labels';
import { decimalToMinor, formatMoney, formatPercent } from '../../format';
import type {
  CampaignFieldsFragment,
  RewardKind,
  RewardRuleInput,
  RewardSide,
  RewardTrigger,
  RewardType,
} from '../../graphql/generated/graphql';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { AddRewardRuleMutation, RemoveRewardRuleMutation } from '../mutations';

interface RuleValues {
  [key: string]: unknown;
  side: RewardSide;
  trigger: RewardTrigger;
  maxPurchases: number | string;
  minOrderMinor: string;
  kind: RewardKind;
  rewardType: RewardType;
  amountMinor: string;
  bps: number | string;
  tiers: { fromCount: number | string; amountMinor: string }[];
  milestones: { atCount: number | string; bonusMinor: string }[];
  perReferrerCapMinor: string;
  variant: string | null;
}

const initial = (): RuleValues => ({
  side: 'REFERRER',
  trigger: 'FIRST_PURCHASE',
  maxPurchases: '',
  minOrderMinor: '',
  kind: 'FIXED',
  rewardType: 'CASH',
  amountMinor: '',
  bps: '',
  tiers: [],
  milestones: [],
  perReferrerCapMinor: '',
  variant: null,
});

function toInput(
  v: RuleValues,
  currency: string,
): { input: RewardRuleInput } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const money = (path: string, text: string, required: boolean): string | null => {
    if (text.trim() === '') {
      if (required) errors[path] = t('field.required');
      return null;
    }
    const minor = decimalToMinor(text, currency);
    if (minor === null) errors[path] = t('field.notAnAmount');
    return minor;
  };
  const int = (path: string, value: number | string, required: boolean): number | null => {
    if (value === '') {
      if (required) errors[path] = t('field.required');
      return null;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      errors[path] = t('field.notANumber');
      return null;
    }
    return value;
  };
  const percentToBps = (value: number | string): number | null => {
    if (typeof value === 'number') return Math.round(value * 100);
    errors.bps = t('field.required');
    return null;
  };
  const input: RewardRuleInput = {
    side: v.side,
    trigger: v.trigger,
    kind: v.kind,
    rewardType: v.rewardType,
    maxPurchases: v.trigger === 'EACH_PURCHASE' ? int('maxPurchases', v.maxPurchases, true) : null,
    minOrderMinor: money('minOrderMinor', v.minOrderMinor, false) ?? '0',
    amountMinor: v.kind === 'FIXED' ? money('amountMinor', v.amountMinor, true) : null,
    bps: v.kind === 'PERCENT' ? percentToBps(v.bps) : null,
    tiers:
      v.kind === 'TIERED'
        ? v.tiers.map((tier, i) => ({
            fromCount: int(`tiers.${i}.fromCount`, tier.fromCount, true) ?? 0,
            amountMinor: money(`tiers.${i}.amountMinor`, tier.amountMinor, true) ?? '0',
          }))
        : [],
    milestones:
      v.kind === 'TIERED'
        ? v.milestones.map((m, i) => ({
            atCount: int(`milestones.${i}.atCount`, m.atCount, true) ?? 0,
            bonusMinor: money(`milestones.${i}.bonusMinor`, m.bonusMinor, true) ?? '0',
          }))
        : [],
    perReferrerCapMinor: money('perReferrerCapMinor', v.perReferrerCapMinor, false),
    variant: v.variant,
  };
  return Object.keys(errors).length > 0 ? { errors } : { input };
}

export function RewardRules(props: {
  campaign: CampaignFieldsFragment;
  editable: boolean;
  onChanged: () => void;
}) {
  const { campaign } = props;
  const form = useForm<RuleValues>({ initialValues: initial() });
  const sink = useFieldSink(form);
  const add = useApiMutation(AddRewardRuleMutation);
  const remove = useApiMutation(RemoveRewardRuleMutation);
  const input = (path: string) => form.getInputProps(sink.track(path));
  const v = form.values;

  const submit = form.onSubmit(async (values) => {
    const built = toInput(values, campaign.currency);
    if ('errors' in built) {
      form.setErrors(built.errors);
      return;
    }
    const outcome = await add.run({ campaignId: campaign.id, input: built.input }, sink);
    if (outcome.data) {
      notifications.show({ color: 'green', message: t('rules.added') });
      form.setValues(initial());
      props.onChanged();
    }
  });

  const variantOptions = campaign.variants.map((x) => ({ value: x.name, label: x.name }));

  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Title order={2} size="h4">
          {t('rules.current')}
        </Title>
        {campaign.rewardRules.length === 0 ? <Text>{t('rules.none')}</Text> : null}
        {campaign.rewardRules.map((rule) => (
          <Card key={rule.id} withBorder padding="sm">
            <Group justify="space-between" align="flex-start">
              <Stack gap={4}>
                <Group gap="xs">
                  <Badge variant="light">{sideLabel(rule.side)}</Badge>
                  <Text fw={600}>
                    {kindLabel(rule.kind)} · {rewardTypeLabel(rule.rewardType)} ·{' '}
                    {triggerLabel(rule.trigger)}
                  </Text>
                </Group>
                <Text size="sm">
                  {rule.kind === 'FIXED' ? formatMoney(rule.amount) : null}
                  {rule.kind === 'PERCENT' && typeof rule.bps === 'number'
                    ? formatPercent(rule.bps / 10000)
                    : null}
                </Text>
                {rule.tiers.length > 0 ? (
                  <List size="sm">
                    {rule.tiers.map((tier) => (
                      <List.Item key={tier.fromCount}>
                        {t('rules.tierLine', {
                          from: tier.fromCount,
                          amount: formatMoney({
                            amountMinor: tier.amountMinor,
                            currency: campaign.currency,
                          }),
                        })}
                      </List.Item>
                    ))}
                    {rule.milestones.map((m) => (
                      <List.Item key={`m${m.atCount}`}>
                        {t('rules.milestoneLine', {
                          at: m.atCount,
                          amount: formatMoney({
                            amountMinor: m.bonusMinor,
                            currency: campaign.currency,
                          }),
                        })}
                      </List.Item>
                    ))}
                  </List>
                ) : null}
                {rule.perReferrerCap ? (
                  <Text size="sm">
                    {t('rules.capLine', { amount: formatMoney(rule.perReferrerCap) })}
                  </Text>
                ) : null}
              </Stack>
              {props.editable ? (
                <Button
                  variant="subtle"
                  color="red"
                  loading={remove.fetching}
                  onClick={async () => {
                    const outcome = await remove.run({ id: rule.id });
                    if (outcome.data) props.onChanged();
                  }}
                >
                  {t('rules.remove')}
                </Button>
              ) : null}
            </Group>
          </Card>
        ))}
      </Stack>

      {props.editable ? (
        <form onSubmit={submit} noValidate>
          <Fieldset legend={t('rules.add')}>
            <Stack>
              <Stack gap={4}>
                <Text size="sm" fw={500} id="rule-side-label">
                  {t('field.side')}
                </Text>
                <SegmentedControl
                  aria-labelledby="rule-side-label"
                  data={REWARD_SIDES.map((s) => ({ value: s, label: sideLabel(s) }))}
                  {...input('side')}
                />
              </Stack>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <Select
                  label={t('field.trigger')}
                  data={REWARD_TRIGGERS.map((x) => ({ value: x, label: triggerLabel(x) }))}
                  allowDeselect={false}
                  {...input('trigger')}
                />
                <Select
                  label={t('field.kind')}
                  data={REWARD_KINDS.map((x) => ({ value: x, label: kindLabel(x) }))}
                  allowDeselect={false}
                  {...input('kind')}
                />
                <Select
                  label={t('field.rewardType')}
                  data={REWARD_TYPES.map((x) => ({ value: x, label: rewardTypeLabel(x) }))}
                  allowDeselect={false}
                  {...input('rewardType')}
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                {v.kind === 'FIXED' ? (
                  <TextInput
                    label={t('field.amount', { currency: campaign.currency })}
                    inputMode="decimal"
                    required
                    {...input('amountMinor')}
                  />
                ) : null}
                {v.kind === 'PERCENT' ? (
                  <NumberInput
                    label={t('field.percent')}
                    suffix=" %"
                    decimalScale={2}
                    required
                    {...input('bps')}
                  />
                ) : null}
                {v.trigger === 'EACH_PURCHASE' ? (
                  <NumberInput
                    label={t('field.maxPurchases')}
                    allowDecimal={false}
                    required
                    {...input('maxPurchases')}
                  />
                ) : null}
                <TextInput
                  label={t('field.minOrder', { currency: campaign.currency })}
                  inputMode="decimal"
                  {...input('minOrderMinor')}
                />
                <TextInput
                  label={t('field.perReferrerCap', { currency: campaign.currency })}
                  inputMode="decimal"
                  {...input('perReferrerCapMinor')}
                />
                {variantOptions.length > 0 ? (
                  <Select
                    label={t('field.ruleVariant')}
                    data={variantOptions}
                    clearable
                    clearButtonProps={{
                      'aria-label': t('field.clear', { label: t('field.ruleVariant') }),
                    }}
                    placeholder={t('field.allVariants')}
                    {...input('variant')}
                  />
                ) : null}
              </SimpleGrid>
              {v.kind === 'TIERED' ? (
                <Stack gap="xs">
                  <Text fw={600} size="sm">
                    {t('rules.tiers')}
                  </Text>
                  {sink.track('tiers') && typeof form.errors.tiers === 'string' ? (
                    <Text c="red" size="sm" role="alert">
                      {form.errors.tiers}
                    </Text>
                  ) : null}
                  {v.tiers.map((_, i) => (
                    <Group key={i} align="flex-end" wrap="wrap">
                      <NumberInput
                        label={t('field.tierFrom', { n: i + 1 })}
                        allowDecimal={false}
                        required
                        {...input(`tiers.${i}.fromCount`)}
                      />
                      <TextInput
                        label={t('field.tierAmount', { n: i + 1, currency: campaign.currency })}
                        inputMode="decimal"
                        required
                        {...input(`tiers.${i}.amountMinor`)}
                      />
                      <Button
                        variant="subtle"
                        color="red"
                        onClick={() => form.removeListItem('tiers', i)}
                      >
                        {t('builder.remove')}
                      </Button>
                    </Group>
                  ))}
                  <Button
                    variant="light"
                    size="xs"
                    style={{ alignSelf: 'flex-start' }}
                    onClick={() =>
                      form.insertListItem('tiers', {
                        fromCount: v.tiers.length === 0 ? 1 : '',
                        amountMinor: '',
                      })
                    }
                  >
                    {t('rules.addTier')}
                  </Button>
                  <Text fw={600} size="sm">
                    {t('rules.milestones')}
                  </Text>
                  {v.milestones.map((_, i) => (
                    <Group key={i} align="flex-end" wrap="wrap">
                      <NumberInput
                        label={t('field.milestoneAt', { n: i + 1 })}
                        allowDecimal={false}
                        required
                        {...input(`milestones.${i}.atCount`)}
                      />
                      <TextInput
                        label={t('field.milestoneBonus', { n: i + 1, currency: campaign.currency })}
                        inputMode="decimal"
                        required
                        {...input(`milestones.${i}.bonusMinor`)}
                      />
                      <Button
                        variant="subtle"
                        color="red"
                        onClick={() => form.removeListItem('milestones', i)}
                      >
                        {t('builder.remove')}
                      </Button>
                    </Group>
                  ))}
                  <Button
                    variant="light"
                    size="xs"
                    style={{ alignSelf: 'flex-start' }}
                    onClick={() =>
                      form.insertListItem('milestones', { atCount: '', bonusMinor: '' })
                    }
                  >
                    {t('rules.addMilestone')}
                  </Button>
                </Stack>
              ) : null}
              <Button
                type="submit"
                loading={add.fetching}
                disabled={add.waiting}
                style={{ alignSelf: 'flex-start' }}
              >
                {t('rules.submit')}
              </Button>
            </Stack>
          </Fieldset>
        </form>
      ) : null}
    </Stack>
  );
}
