import { Center, Loader, VisuallyHidden } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { Navigate } from 'react-router';
import { t } from '../i18n';
import { session } from './session';
import { useSession, useSessionPhase } from './useSession';
import { authUrls } from './urls';

/**
 * Sends a visitor without a session to sign in, keeping the URL they wanted (read from the
 * address bar: during a pending navigation the router's location still names the old screen).
 * With no token in memory at start-up (a reload), the session cookie is tried first
 * (`refreshSession`, once), behind a neutral loader: no flash of the sign-in page.
 * After "Sign out" they land on the sign-in page without a `next`.
 */
export function RequireAuth(props: { children: ReactNode }) {
  const current = useSession();
  const phase = useSessionPhase();

  useEffect(() => {
    if (!current && phase === 'unknown') void session.restore();
  }, [current, phase]);

  if (!current) {
    if (phase !== 'settled') {
      return (
        <Center component="main" mih="100vh" role="status" aria-live="polite" aria-busy="true">
          <Loader />
          <VisuallyHidden>{t('auth.restoring')}</VisuallyHidden>
        </Center>
      );
    }
    const reason = session.lastEnd();
    if (reason === 'signedOut') return <Navigate replace to="/sign-in?reason=signedOut" />;
    const next = `${window.location.pathname}${window.location.search}`;
    return <Navigate replace to={authUrls.signIn({ next, expired: reason === 'expired' })} />;
  }
  return props.children;
}
