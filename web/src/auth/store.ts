// The signed-in session, in memory only (never localStorage or sessionStorage), and what keeps it
// alive: the backend's httpOnly `gv_session` cookie, which only `refreshSession` and `signOut`
// read (docs/console.md "Sign-in and sessions").
//
//   - At start-up (a reload) the phase is 'unknown': RequireAuth calls `restore`, which trades the
//     cookie for a token once, showing a neutral loader meanwhile; no session → sign in.
//   - A token is refreshed a minute before its `expiresAt` (half-way for tokens shorter than two
//     minutes); a refresh that fails for the network is tried again, until the token expires.
//   - A request answered UNAUTHENTICATED asks for a token once more (`renew`); the refresh is
//     single-flight, so many failing requests share one.
//   - A refused refresh ends the session with 'expired'; `signOut` ends it server-side first.
//
// Pure of any network or DOM: `session.ts` wires it to the API, the unit tests to fakes.

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

/** 'unknown' until the first restore is tried; 'restoring' during it; 'settled' after. */
export type Phase = 'unknown' | 'restoring' | 'settled';

/** What the backend said to `refreshSession`. */
export type RefreshOutcome =
  | { kind: 'ok'; session: Session }
  /** No live session (UNAUTHENTICATED, or FORBIDDEN for another origin): sign in again. */
  | { kind: 'refused' }
  /** The network or the server failed: the session may still be live. */
  | { kind: 'failed' };

export interface StoreDeps {
  refresh: () => Promise<RefreshOutcome>;
  signOut: () => Promise<void>;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** How long before `expiresAt` a token is refreshed, at most. */
export const REFRESH_LEAD_MS = 60_000;
/** How soon a refresh that failed for the network is tried again. */
export const RETRY_MS = 10_000;
/** setTimeout's delay is a signed 32-bit int. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * When to refresh a token expiring at `expiresAt`: a minute before, or half-way through the time
 * left when that is under two minutes; now when it has expired (or the date is unreadable).
 */
export function refreshDelay(expiresAt: string, now: number): number {
  const left = new Date(expiresAt).getTime() - now;
  if (!Number.isFinite(left) || left <= 0) return 0;
  const lead = Math.min(REFRESH_LEAD_MS, left / 2);
  return Math.min(Math.floor(left - lead), MAX_DELAY_MS);
}

/** Runs `fn` at most once at a time: callers during a run share its promise. */
export function singleFlight<T>(fn: () => Promise<T>): {
  run: () => Promise<T>;
  reset: () => void;
} {
  let inflight: Promise<T> | null = null;
  return {
    run: () => {
      if (inflight) return inflight;
      const p = fn().finally(() => {
        if (inflight === p) inflight = null;
      });
      inflight = p;
      return p;
    },
    /** Forget the running call: the next `run` starts a new one. */
    reset: () => {
      inflight = null;
    },
  };
}

type Listener = () => void;

export function createSessionStore(deps: StoreDeps) {
  const now = deps.now ?? (() => Date.now());
  const setTimer = deps.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer =
    deps.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  let current: Session | null = null;
  let lastEnd: EndReason | null = null;
  let phase: Phase = 'unknown';
  let timer: unknown = undefined;
  // Bumped whenever the session is replaced or ended from outside a refresh: a refresh that was
  // in flight then must not bring the old session back.
  let epoch = 0;
  const listeners = new Set<Listener>();

  function emit(): void {
    for (const listener of listeners) listener();
  }

  function stopTimer(): void {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
  }

  function arm(ms: number): void {
    stopTimer();
    timer = setTimer(() => {
      timer = undefined;
      void onTimer();
    }, ms);
  }

  async function onTimer(): Promise<void> {
    if (!current) return;
    await refresh.run();
  }

  function install(next: Session): void {
    current = next;
    lastEnd = null;
    phase = 'settled';
    arm(refreshDelay(next.expiresAt, now()));
    emit();
  }

  function finish(reason: EndReason | null): void {
    epoch += 1;
    refresh.reset();
    stopTimer();
    const changed = current !== null || phase !== 'settled';
    current = null;
    if (reason) lastEnd = reason;
    phase = 'settled';
    if (changed) emit();
  }

  const refresh = singleFlight(async (): Promise<string | null> => {
    const at = epoch;
    let outcome: RefreshOutcome;
    try {
      outcome = await deps.refresh();
    } catch {
      outcome = { kind: 'failed' };
    }
    if (at !== epoch) return current?.token ?? null;
    switch (outcome.kind) {
      case 'ok':
        install(outcome.session);
        return outcome.session.token;
      case 'refused':
        // A session we held has ended; at start-up there simply was none.
        finish(current ? 'expired' : null);
        return null;
      case 'failed': {
        if (!current) {
          finish(null);
          return null;
        }
        const left = new Date(current.expiresAt).getTime() - now();
        if (Number.isFinite(left) && left > 0) arm(Math.min(RETRY_MS, left));
        else finish('expired');
        return null;
      }
    }
  });

  return {
    get: (): Session | null => current,
    token: (): string | null => current?.token ?? null,
    lastEnd: (): EndReason | null => lastEnd,
    phase: (): Phase => phase,

    /** A session from `login`. */
    start: (next: Session): void => {
      epoch += 1;
      refresh.reset();
      install(next);
    },

    /** Ends the session in memory (the server's session, if any, is left alone). */
    end: (reason: EndReason): void => {
      if (!current) return;
      finish(reason);
    },

    /**
     * At start-up, or after a reload: trade the session cookie for a token, once. Resolves when
     * the phase is settled (signed in or not).
     */
    restore: async (): Promise<void> => {
      if (current || phase === 'settled') return;
      if (phase === 'unknown') {
        phase = 'restoring';
        emit();
      }
      await refresh.run();
    },

    /** A fresh token now (single-flight); null when the session could not be refreshed. */
    refresh: (): Promise<string | null> => refresh.run(),

    /**
     * After a request made with `used` was answered UNAUTHENTICATED: the token to retry it with,
     * or null to give up. A token newer than `used` is returned as it is; else one refresh.
     */
    renew: async (used: string): Promise<string | null> => {
      if (!current) return null;
      if (current.token !== used) return current.token;
      return refresh.run();
    },

    /**
     * Ends the session on the server (its cookie too), then in memory, whatever the server said.
     * False when the server could not be told (the session then lives on until it idles out).
     */
    signOut: async (): Promise<boolean> => {
      // No refresh may land meanwhile: it would be for the session being ended.
      epoch += 1;
      refresh.reset();
      stopTimer();
      let told = true;
      try {
        await deps.signOut();
      } catch {
        told = false;
      }
      finish('signedOut');
      return told;
    },

    subscribe: (listener: Listener): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
