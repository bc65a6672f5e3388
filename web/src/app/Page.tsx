// The frame of every screen: its heading, its actions, and `data-ready` once its data is shown
// (browser tests and the benchmark wait for `[data-ready="true"]`). `data-path` names the location
// the screen was rendered for, so a test that has just navigated can tell the new screen from the
// one still shown while the next route's code loads.
import {
  Alert,
  Button,
  Center,
  Group,
  Loader,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import type { CombinedError } from '@urql/core';
import type { ReactNode } from 'react';
import { useLocation } from 'react-router';
import { classifyError } from '../graphql/errors';
import { problemMessage } from '../graphql/useApiMutation';
import { t } from '../i18n';

export function Page(props: {
  title: string;
  ready: boolean;
  actions?: ReactNode;
  children: ReactNode;
  nav?: ReactNode;
}) {
  const { pathname } = useLocation();
  return (
    <Stack
      gap="md"
      data-ready={props.ready ? 'true' : 'false'}
      data-path={pathname}
      data-testid="page"
    >
      {props.nav}
      <Group justify="space-between" align="flex-start" gap="sm">
        <Title order={1} size="h2">
          {props.title}
        </Title>
        {props.actions ? <Group gap="xs">{props.actions}</Group> : null}
      </Group>
      {props.children}
    </Stack>
  );
}

export function Loading() {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader />
      <VisuallyHidden>{t('state.loading')}</VisuallyHidden>
    </Center>
  );
}

export function Empty(props: { children: ReactNode }) {
  return (
    <Text c="dimmed" py="md" role="status">
      {props.children}
    </Text>
  );
}

export function QueryError(props: { error: CombinedError; retry?: () => void }) {
  const problem = classifyError(props.error);
  return (
    <Alert color="red" title={t('state.errorTitle')} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{problemMessage(problem)}</Text>
        {props.retry ? (
          <Button size="xs" variant="outline" color="red" onClick={props.retry}>
            {t('state.retry')}
          </Button>
        ) : null}
      </Stack>
    </Alert>
  );
}
