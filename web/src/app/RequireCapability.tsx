import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Capability } from '../auth/roles';
import { useCan } from '../auth/useSession';
import { t } from '../i18n';
import { Page } from './Page';

/** A route the role may not use shows why instead of the screen (the menu never links to it). */
export function RequireCapability(props: { capability: Capability; children: ReactNode }) {
  const allowed = useCan(props.capability);
  if (!allowed) {
    return (
      <Page title={t('forbidden.title')} ready>
        <Alert color="orange">{t('forbidden.body')}</Alert>
      </Page>
    );
  }
  return props.children;
}
