import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import { session } from './session';
import { useSession } from './useSession';
import { authUrls } from './urls';

/**
 * Sends a visitor without a session to sign in, keeping the URL they wanted (read from the
 * address bar: during a pending navigation the router's location still names the old screen).
 * After "Sign out" they land on the sign-in page without a `next`.
 */
export function RequireAuth(props: { children: ReactNode }) {
  const current = useSession();
  if (!current) {
    const reason = session.lastEnd();
    if (reason === 'signedOut') return <Navigate replace to="/sign-in?reason=signedOut" />;
    const next = `${window.location.pathname}${window.location.search}`;
    return <Navigate replace to={authUrls.signIn({ next, expired: reason === 'expired' })} />;
  }
  return props.children;
}
