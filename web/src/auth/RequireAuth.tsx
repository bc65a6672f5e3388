import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { session } from './session';
import { useSession } from './useSession';
import { authUrls } from './urls';

/** Sends a visitor without a session to sign in, keeping the URL they wanted. */
export function RequireAuth(props: { children: ReactNode }) {
  const current = useSession();
  const location = useLocation();
  if (!current) {
    const next = `${location.pathname}${location.search}`;
    return (
      <Navigate replace to={authUrls.signIn({ next, expired: session.lastEnd() === 'expired' })} />
    );
  }
  return props.children;
}
