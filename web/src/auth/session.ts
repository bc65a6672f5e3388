// The console's one session (see store.ts for how it lives), wired to the API: `refreshSession`
// and `signOut` go through a client of their own, beside the app's (whose UNAUTHENTICATED
// handling would otherwise call back into the refresh). Both rely on the browser sending the
// httpOnly `gv_session` cookie, which it does for a same-origin fetch to /graphql.
import { Client, fetchExchange } from '@urql/core';
import { classifyError } from '../graphql/errors';
import { RefreshSessionMutation, SignOutMutation } from './mutations';
import { createSessionStore, type RefreshOutcome } from './store';

export type { EndReason, Phase, Session, SessionUser } from './store';

let sessionClient: Client | null = null;

function client(): Client {
  sessionClient ??= new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: {
      credentials: 'same-origin',
      headers: { accept: 'application/graphql-response+json, application/json' },
    },
    exchanges: [fetchExchange],
  });
  return sessionClient;
}

async function refreshSession(): Promise<RefreshOutcome> {
  const result = await client().mutation(RefreshSessionMutation, {}).toPromise();
  if (result.data) return { kind: 'ok', session: result.data.refreshSession };
  if (result.error) {
    const problem = classifyError(result.error).kind;
    if (problem === 'unauthenticated' || problem === 'forbidden') return { kind: 'refused' };
  }
  return { kind: 'failed' };
}

async function signOut(): Promise<void> {
  const result = await client().mutation(SignOutMutation, {}).toPromise();
  if (result.error) throw result.error;
}

export const session = createSessionStore({ refresh: refreshSession, signOut });
