// The campaign builder: /campaigns/new creates a draft from the settings; /campaigns/:id/edit
// edits its settings, reward rules, materials and variants (tabs kept in the URL).
import { Alert, Button, Group, List, Stack, Tabs } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useFieldSink } from '../../app/fields';
import { Loading, Page, QueryError } from '../../app/Page';
import type { FieldProblem } from '../../graphql/errors';
import type { CampaignFieldsFragment, UpdateCampaignInput } from '../../graphql/generated/graphql';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t } from '../../i18n';
import { CampaignNav } from '../components/CampaignNav';
import { Materials } from '../components/Materials';
import { RewardRules } from '../components/RewardRules';
import { SettingsForm } from '../components/SettingsForm';
import { Variants } from '../components/Variants';
import { CreateCampaignMutation, UpdateCampaignMutation } from '../mutations';
import { CampaignQuery } from '../queries';
import {
  emptySettings,
  settingsFromCampaign,
  toCampaignInput,
  type SettingsValues,
} from '../settings';
import { BUILDER_TABS, campaignUrls, parseTab, type BuilderTab } from '../urls';

const tabLabel: Record<BuilderTab, () => string> = {
  settings: () => t('builder.tab.settings'),
  rewards: () => t('builder.tab.rewards'),
  materials: () => t('builder.tab.materials'),
  variants: () => t('builder.tab.variants'),
};

export default function CampaignBuilder() {
  const { id } = useParams();
  if (!id) return <CreateCampaign />;
  return <EditCampaign id={id} />;
}

function UnplacedErrors(props: { problems: FieldProblem[] }) {
  if (props.problems.length === 0) return null;
  return (
    <Alert color="red" role="alert" title={t('error.validation')}>
      <List size="sm">
        {props.problems.map((p) => (
          <List.Item key={`${p.field}:${p.message}`}>
            {p.field}: {p.message}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

function useSettingsForm(initial: SettingsValues) {
  const form = useForm<SettingsValues>({ initialValues: initial });
  const sink = useFieldSink(form);
  return { form, sink };
}

function CreateCampaign() {
  const navigate = useNavigate();
  const { form, sink } = useSettingsForm(emptySettings());
  const create = useApiMutation(CreateCampaignMutation);
  const [unplaced, setUnplaced] = useState<FieldProblem[]>([]);

  const submit = form.onSubmit(async (values) => {
    setUnplaced([]);
    const built = toCampaignInput(values, {
      required: t('field.required'),
      notANumber: t('field.notANumber'),
    });
    if ('errors' in built) {
      form.setErrors(built.errors);
      return;
    }
    const outcome = await create.run({ input: built.input }, sink);
    setUnplaced(outcome.unplaced);
    if (outcome.data) {
      notifications.show({ color: 'green', message: t('builder.created') });
      void navigate(campaignUrls.edit(outcome.data.createCampaign.id, 'rewards'));
    }
  });

  return (
    <Page title={t('builder.newTitle')} ready>
      <form onSubmit={submit} noValidate aria-label={t('builder.newTitle')}>
        <Stack>
          <UnplacedErrors problems={unplaced} />
          <SettingsForm form={form} track={sink.track} draft />
          <Group>
            <Button type="submit" loading={create.fetching} disabled={create.waiting}>
              {t('builder.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Page>
  );
}

function EditCampaign(props: { id: string }) {
  const [search, setSearch] = useSearchParams();
  const tab = parseTab(search.get('tab'));
  const [result, refetch] = useQuery({ query: CampaignQuery, variables: { id: props.id } });
  const campaign = result.data?.campaign;
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <Page
      title={
        campaign ? t('builder.editTitle', { name: campaign.name }) : t('builder.editTitleLoading')
      }
      ready={Boolean(campaign)}
      nav={<CampaignNav id={props.id} status={campaign?.status} />}
    >
      {result.error ? <QueryError error={result.error} retry={reload} /> : null}
      {!campaign && !result.error ? <Loading /> : null}
      {campaign?.status === 'ENDED' ? <Alert color="orange">{t('builder.ended')}</Alert> : null}
      {campaign ? (
        <Tabs
          value={tab}
          onChange={(value) => {
            const next = parseTab(value);
            setSearch(next === 'settings' ? {} : { tab: next });
          }}
          keepMounted={false}
        >
          <Tabs.List>
            {BUILDER_TABS.map((x) => (
              <Tabs.Tab key={x} value={x}>
                {tabLabel[x]()}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          <Tabs.Panel value="settings" pt="md">
            <EditSettings campaign={campaign} onSaved={reload} />
          </Tabs.Panel>
          <Tabs.Panel value="rewards" pt="md">
            <RewardRules
              campaign={campaign}
              editable={campaign.status !== 'ENDED'}
              onChanged={reload}
            />
          </Tabs.Panel>
          <Tabs.Panel value="materials" pt="md">
            <Materials
              campaign={campaign}
              editable={campaign.status !== 'ENDED'}
              onChanged={reload}
            />
          </Tabs.Panel>
          <Tabs.Panel value="variants" pt="md">
            <Variants
              campaign={campaign}
              editable={campaign.status === 'DRAFT'}
              onChanged={reload}
            />
          </Tabs.Panel>
        </Tabs>
      ) : null}
    </Page>
  );
}

function EditSettings(props: { campaign: CampaignFieldsFragment; onSaved: () => void }) {
  const { campaign } = props;
  const draft = campaign.status === 'DRAFT';
  const { form, sink } = useSettingsForm(settingsFromCampaign(campaign));
  const update = useApiMutation(UpdateCampaignMutation);
  const [unplaced, setUnplaced] = useState<FieldProblem[]>([]);

  // A save elsewhere (another tab) refreshes the campaign: show its values unless edited here.
  useEffect(() => {
    if (!form.isDirty()) form.setValues(settingsFromCampaign(campaign));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [campaign]);

  const submit = form.onSubmit(async (values) => {
    setUnplaced([]);
    const built = toCampaignInput(values, {
      required: t('field.required'),
      notANumber: t('field.notANumber'),
    });
    if ('errors' in built) {
      form.setErrors(built.errors);
      return;
    }
    const input: UpdateCampaignInput = { ...built.input };
    if (!draft) {
      delete input.currency;
      delete input.holdoutBps;
    }
    const outcome = await update.run({ id: campaign.id, input }, sink);
    setUnplaced(outcome.unplaced);
    if (outcome.data) {
      notifications.show({ color: 'green', message: t('builder.saved') });
      form.resetDirty(settingsFromCampaign(outcome.data.updateCampaign));
      props.onSaved();
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={t('builder.tab.settings')}>
      <Stack>
        <UnplacedErrors problems={unplaced} />
        <SettingsForm form={form} track={sink.track} draft={draft} />
        {campaign.status !== 'ENDED' ? (
          <Group>
            <Button type="submit" loading={update.fetching} disabled={update.waiting}>
              {t('builder.save')}
            </Button>
          </Group>
        ) : null}
      </Stack>
    </form>
  );
}
