import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSessionStore,
  REFRESH_LEAD_MS,
  refreshDelay,
  RETRY_MS,
  singleFlight,
  type RefreshOutcome,
  type Session,
} from './store';

const T0 = Date.parse('2030-01-01T12:00:00Z');
const MINUTE = 60_000;

function sessionOf(token: string, ttlMs = 15 * MINUTE): Session {
  return {
    token,
    expiresAt: new Date(Date.now() + ttlMs).toISOString(),
    user: { id: 'u1', email: 'a@b.test', name: 'A', role: 'ADMIN' },
  };
}

/** A refresh whose answers the test gives, one pending call at a time. */
function controlledRefresh() {
  const pending: ((outcome: RefreshOutcome) => void)[] = [];
  const refresh = vi.fn(
    () =>
      new Promise<RefreshOutcome>((resolve) => {
        pending.push(resolve);
      }),
  );
  const answer = async (outcome: RefreshOutcome) => {
    const resolve = pending.shift();
    if (!resolve) throw new Error('no refresh pending');
    resolve(outcome);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { refresh, answer, pending };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refreshDelay', () => {
  it('refreshes a minute before expiry', () => {
    expect(refreshDelay(new Date(T0 + 15 * MINUTE).toISOString(), T0)).toBe(14 * MINUTE);
    expect(REFRESH_LEAD_MS).toBe(MINUTE);
  });

  it('refreshes half-way through tokens shorter than two minutes', () => {
    expect(refreshDelay(new Date(T0 + MINUTE).toISOString(), T0)).toBe(30_000);
    expect(refreshDelay(new Date(T0 + 2 * MINUTE).toISOString(), T0)).toBe(MINUTE);
  });

  it('refreshes at once when expired or unreadable, and never overflows setTimeout', () => {
    expect(refreshDelay(new Date(T0 - 1).toISOString(), T0)).toBe(0);
    expect(refreshDelay('not a date', T0)).toBe(0);
    expect(refreshDelay(new Date(T0 + 90 * 24 * 60 * MINUTE).toISOString(), T0)).toBe(2 ** 31 - 1);
  });
});

describe('singleFlight', () => {
  it('shares one run among concurrent callers and starts anew afterwards', async () => {
    let resolve: (v: number) => void = () => undefined;
    const fn = vi.fn(() => new Promise<number>((r) => (resolve = r)));
    const flight = singleFlight(fn);
    const a = flight.run();
    const b = flight.run();
    expect(a).toBe(b);
    expect(fn).toHaveBeenCalledTimes(1);
    resolve(7);
    await expect(Promise.all([a, b])).resolves.toEqual([7, 7]);
    void flight.run();
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('starts anew after a failure', async () => {
    const fn = vi.fn().mockRejectedValueOnce(new Error('x')).mockResolvedValueOnce(1);
    const flight = singleFlight(fn as () => Promise<number>);
    await expect(flight.run()).rejects.toThrow('x');
    await expect(flight.run()).resolves.toBe(1);
  });
});

describe('session store', () => {
  it('restores a session from the cookie once at start-up', async () => {
    const { refresh, answer } = controlledRefresh();
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    const seen: string[] = [];
    store.subscribe(() => seen.push(store.phase()));
    expect(store.phase()).toBe('unknown');

    const first = store.restore();
    const second = store.restore();
    expect(store.phase()).toBe('restoring');
    expect(refresh).toHaveBeenCalledTimes(1);
    await answer({ kind: 'ok', session: sessionOf('t1') });
    await Promise.all([first, second]);
    expect(store.token()).toBe('t1');
    expect(store.phase()).toBe('settled');
    expect(store.lastEnd()).toBeNull();
    expect(seen).toEqual(['restoring', 'settled']);

    await store.restore();
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('settles signed out, without "expired", when there is no session to restore', async () => {
    const { refresh, answer } = controlledRefresh();
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    const done = store.restore();
    await answer({ kind: 'refused' });
    await done;
    expect(store.get()).toBeNull();
    expect(store.phase()).toBe('settled');
    expect(store.lastEnd()).toBeNull();
  });

  it('refreshes a minute before the token expires, and again after each refresh', async () => {
    const { refresh, answer } = controlledRefresh();
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    store.start(sessionOf('t1'));

    await vi.advanceTimersByTimeAsync(14 * MINUTE - 1);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    await answer({ kind: 'ok', session: sessionOf('t2') });
    expect(store.token()).toBe('t2');

    await vi.advanceTimersByTimeAsync(14 * MINUTE);
    expect(refresh).toHaveBeenCalledTimes(2);
    await answer({ kind: 'ok', session: sessionOf('t3') });
    expect(store.token()).toBe('t3');
  });

  it('tries a refresh that failed for the network again until the token expires', async () => {
    const { refresh, answer } = controlledRefresh();
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    store.start(sessionOf('t1'));
    await vi.advanceTimersByTimeAsync(14 * MINUTE);
    await answer({ kind: 'failed' });
    expect(store.token()).toBe('t1');

    await vi.advanceTimersByTimeAsync(RETRY_MS);
    expect(refresh).toHaveBeenCalledTimes(2);
    await answer({ kind: 'ok', session: sessionOf('t2') });
    expect(store.token()).toBe('t2');
  });

  it('ends the session as expired when the token runs out without a refresh', async () => {
    const refresh = vi.fn(() => Promise.resolve<RefreshOutcome>({ kind: 'failed' }));
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    store.start(sessionOf('t1'));
    await vi.advanceTimersByTimeAsync(15 * MINUTE + RETRY_MS);
    expect(store.get()).toBeNull();
    expect(store.lastEnd()).toBe('expired');
    // one at 14 min, then every RETRY_MS up to the expiry (15 min), the last one included
    expect(refresh.mock.calls.length).toBe(1 + MINUTE / RETRY_MS);
  });

  it('shares one refresh among requests refused together, then retries them with it', async () => {
    const { refresh, answer } = controlledRefresh();
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    store.start(sessionOf('t1'));
    const renewed = [store.renew('t1'), store.renew('t1'), store.renew('t1')];
    expect(refresh).toHaveBeenCalledTimes(1);
    await answer({ kind: 'ok', session: sessionOf('t2') });
    await expect(Promise.all(renewed)).resolves.toEqual(['t2', 't2', 't2']);
    // A request still in flight with the old token needs no further refresh.
    await expect(store.renew('t1')).resolves.toBe('t2');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('sends the person to "session expired" when the refresh is refused', async () => {
    const { refresh, answer } = controlledRefresh();
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    store.start(sessionOf('t1'));
    const renewed = store.renew('t1');
    await answer({ kind: 'refused' });
    await expect(renewed).resolves.toBeNull();
    expect(store.get()).toBeNull();
    expect(store.lastEnd()).toBe('expired');
    // Signed out in memory: nothing is refreshed any more.
    await expect(store.renew('t1')).resolves.toBeNull();
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('signs out on the server first, and a refresh landing meanwhile does not bring it back', async () => {
    const { refresh, answer } = controlledRefresh();
    let told: () => void = () => undefined;
    const signOut = vi.fn(() => new Promise<void>((r) => (told = r)));
    const store = createSessionStore({ refresh, signOut });
    store.start(sessionOf('t1'));
    const renewed = store.renew('t1');

    const out = store.signOut();
    expect(signOut).toHaveBeenCalledTimes(1);
    await answer({ kind: 'ok', session: sessionOf('t2') });
    await expect(renewed).resolves.toBe('t1');
    expect(store.token()).toBe('t1'); // still shown until the server answers
    told();
    await expect(out).resolves.toBe(true);
    expect(store.get()).toBeNull();
    expect(store.lastEnd()).toBe('signedOut');
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('clears the token even when the server cannot be told', async () => {
    const store = createSessionStore({
      refresh: vi.fn(),
      signOut: () => Promise.reject(new Error('offline')),
    });
    store.start(sessionOf('t1'));
    await expect(store.signOut()).resolves.toBe(false);
    expect(store.get()).toBeNull();
    expect(store.lastEnd()).toBe('signedOut');
  });

  it('a sign-in replaces a restore still in flight', async () => {
    const { refresh, answer } = controlledRefresh();
    const store = createSessionStore({ refresh, signOut: vi.fn() });
    const restoring = store.restore();
    store.start(sessionOf('login'));
    await answer({ kind: 'ok', session: sessionOf('stale') });
    await restoring;
    expect(store.token()).toBe('login');
  });
});
