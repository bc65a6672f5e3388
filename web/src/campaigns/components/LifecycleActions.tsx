// Launch / pause / resume / end, each behind a confirmation dialog.
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { CampaignStatus } from '../../graphql/generated/graphql';
import { useApiMutation } from '../../graphql/useApiMutation';
import { t, type MessageKey } from '../../i18n';
import {
  EndCampaignMutation,
  LaunchCampaignMutation,
  PauseCampaignMutation,
  ResumeCampaignMutation,
} from '../mutations';

type Action = 'launch' | 'pause' | 'resume' | 'end';

const ACTIONS_BY_STATUS: Record<CampaignStatus, Action[]> = {
  DRAFT: ['launch'],
  ACTIVE: ['pause', 'end'],
  PAUSED: ['resume', 'end'],
  ENDED: [],
};

const TEXT: Record<
  Action,
  { button: MessageKey; title: MessageKey; body: MessageKey; done: MessageKey }
> = {
  launch: {
    button: 'lifecycle.launch',
    title: 'lifecycle.launchTitle',
    body: 'lifecycle.launchBody',
    done: 'lifecycle.launched',
  },
  pause: {
    button: 'lifecycle.pause',
    title: 'lifecycle.pauseTitle',
    body: 'lifecycle.pauseBody',
    done: 'lifecycle.paused',
  },
  resume: {
    button: 'lifecycle.resume',
    title: 'lifecycle.resumeTitle',
    body: 'lifecycle.resumeBody',
    done: 'lifecycle.resumed',
  },
  end: {
    button: 'lifecycle.end',
    title: 'lifecycle.endTitle',
    body: 'lifecycle.endBody',
    done: 'lifecycle.ended',
  },
};

export function LifecycleActions(props: {
  id: string;
  name: string;
  status: CampaignStatus;
  onChanged: () => void;
}) {
  const [pending, setPending] = useState<Action | null>(null);
  const launch = useApiMutation(LaunchCampaignMutation);
  const pause = useApiMutation(PauseCampaignMutation);
  const resume = useApiMutation(ResumeCampaignMutation);
  const end = useApiMutation(EndCampaignMutation);
  const runners = { launch, pause, resume, end };
  const busy = launch.fetching || pause.fetching || resume.fetching || end.fetching;

  const confirm = async () => {
    if (!pending) return;
    const outcome = await runners[pending].run({ id: props.id });
    if (!outcome.problem) {
      notifications.show({ color: 'green', message: t(TEXT[pending].done, { name: props.name }) });
      props.onChanged();
    }
    setPending(null);
  };

  return (
    <>
      {ACTIONS_BY_STATUS[props.status].map((action) => (
        <Button
          key={action}
          color={action === 'end' ? 'red' : undefined}
          variant={action === 'launch' || action === 'resume' ? 'filled' : 'default'}
          onClick={() => setPending(action)}
        >
          {t(TEXT[action].button)}
        </Button>
      ))}
      <Modal
        opened={pending !== null}
        onClose={() => setPending(null)}
        title={pending ? t(TEXT[pending].title, { name: props.name }) : ''}
        centered
      >
        <Stack>
          <Text size="sm">{pending ? t(TEXT[pending].body) : null}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPending(null)}>
              {t('lifecycle.cancel')}
            </Button>
            <Button
              color={pending === 'end' ? 'red' : undefined}
              loading={busy}
              onClick={() => void confirm()}
              data-autofocus
            >
              {pending ? t(TEXT[pending].button) : ''}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
