import { describe, expect, it, vi } from 'vitest';
import { createAuthFetch, isUnauthenticated } from './authFetch';

const json = (body: unknown) =>
  new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/graphql-response+json' },
  });
const refused = () =>
  json({ data: null, errors: [{ message: 'sign in', extensions: { code: 'UNAUTHENTICATED' } }] });
const fine = () => json({ data: { me: { id: '1' } } });
const init = (token?: string): RequestInit => ({
  method: 'POST',
  body: '{"query":"{ me { id } }"}',
  headers: token ? { authorization: `Bearer ${token}` } : {},
});
const authOf = (call: unknown[] | undefined) =>
  new Headers((call?.[1] as RequestInit | undefined)?.headers).get('authorization');

describe('isUnauthenticated', () => {
  it('reads the first error code and leaves the body readable', async () => {
    const response = refused();
    expect(await isUnauthenticated(response)).toBe(true);
    expect(((await response.json()) as { data: unknown }).data).toBeNull();
    expect(await isUnauthenticated(fine())).toBe(false);
    expect(
      await isUnauthenticated(
        json({ errors: [{ message: 'x', extensions: { code: 'FORBIDDEN' } }] }),
      ),
    ).toBe(false);
    expect(await isUnauthenticated(new Response('<html>', { status: 502 }))).toBe(false);
  });
});

describe('createAuthFetch', () => {
  it('retries a refused request once with the renewed token', async () => {
    const fetch = vi.fn().mockResolvedValueOnce(refused()).mockResolvedValueOnce(fine());
    const renew = vi.fn().mockResolvedValue('t2');
    const response = await createAuthFetch({ fetch, renew })('/graphql', init('t1'));
    expect(renew).toHaveBeenCalledWith('t1');
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(authOf(fetch.mock.calls[1])).toBe('Bearer t2');
    expect((fetch.mock.calls[1]?.[1] as RequestInit).body).toBe(init().body);
    expect(await response.json()).toEqual({ data: { me: { id: '1' } } });
  });

  it('hands the refusal on when no token can be had, and never retries twice', async () => {
    const fetch = vi.fn().mockImplementation(() => Promise.resolve(refused()));
    const noToken = createAuthFetch({ fetch, renew: vi.fn().mockResolvedValue(null) });
    expect(await isUnauthenticated(await noToken('/graphql', init('t1')))).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(1);

    fetch.mockClear();
    const stillRefused = createAuthFetch({ fetch, renew: vi.fn().mockResolvedValue('t2') });
    expect(await isUnauthenticated(await stillRefused('/graphql', init('t1')))).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('leaves requests without a token (signing in) and successful ones alone', async () => {
    const renew = vi.fn();
    const fetch = vi.fn().mockResolvedValueOnce(refused()).mockResolvedValueOnce(fine());
    const authFetch = createAuthFetch({ fetch, renew });
    await authFetch('/graphql', init());
    await authFetch('/graphql', init('t1'));
    expect(renew).not.toHaveBeenCalled();
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
