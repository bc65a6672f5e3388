// The signed-in session, in memory only (never localStorage): a reload signs out. Expiry and
// UNAUTHENTICATED answers end it with reason 'expired', which the sign-in page explains.
// A refresh (a revocable httpOnly session cookie from the backend, later) plugs in at `restore`:
// it would exchange the cookie for a fresh short-lived token at start-up and before expiry.
import type { Role } from '../graphql/generated/graphql';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

export type EndReason = 'signedOut' | 'expired';

type Listener = () => void;

let current: Session | null = null;
let lastEnd: EndReason | null = null;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<Listener>();

function emit(): void {
  for (const listener of listeners) listener();
}

export const session = {
  get: (): Session | null => {
    return current;
  },
  token: (): string | null => {
    return current?.token ?? null;
  },
  lastEnd: (): EndReason | null => {
    return lastEnd;
  },
  start: (next: Session): void => {
    current = next;
    lastEnd = null;
    clearTimeout(expiryTimer);
    const ms = new Date(next.expiresAt).getTime() - Date.now();
    // setTimeout's delay is a 32-bit int; long sessions are re-armed by the next sign-in anyway.
    if (Number.isFinite(ms)) {
      expiryTimer = setTimeout(
        () => session.end('expired'),
        Math.max(0, Math.min(ms, 2 ** 31 - 1)),
      );
    }
    emit();
  },
  end: (reason: EndReason): void => {
    if (!current) return;
    current = null;
    lastEnd = reason;
    clearTimeout(expiryTimer);
    emit();
  },
  /** Where a refresh cookie would be exchanged for a token; none exists yet. */
  restore: (): Promise<Session | null> => {
    return Promise.resolve(null);
  },
  subscribe: (listener: Listener): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
