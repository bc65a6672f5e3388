// Sign-in sessions (docs/console.md "Sign-in and sessions"): the token lives in memory, the
// session in an httpOnly cookie only /graphql receives. A reload keeps the person signed in on
// the same URL, with no sign-in page shown meanwhile; "Sign out" ends the session on the server,
// so a reload then lands on the sign-in page and the token held before is refused.
import type { Page } from '@playwright/test';
import { createCampaign, gql, tokenOf } from './api';
import { unique } from './env';
import { expect, ready, spaGoto, test } from './fixtures';
import { SignInPage } from './pages/SignInPage';

declare global {
  interface Window {
    __paths?: string[];
  }
}

/** Records every URL the page shows, history changes included, from each (re)load on. */
async function recordPaths(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const paths = [window.location.pathname];
    window.__paths = paths;
    for (const name of ['pushState', 'replaceState'] as const) {
      const original = window.history[name].bind(window.history);
      window.history[name] = (data: unknown, unused: string, url?: string | URL | null) => {
        original(data, unused, url);
        paths.push(window.location.pathname);
      };
    }
  });
}

/** The bearer token of the page's latest GraphQL request. */
function watchToken(page: Page): () => string | null {
  let token: string | null = null;
  page.on('request', (r) => {
    if (!new URL(r.url()).pathname.startsWith('/graphql')) return;
    const header = r.headers().authorization;
    if (header?.startsWith('Bearer ')) token = header.slice('Bearer '.length);
  });
  return () => token;
}

const ME = '{ me { email } }';

test('a reload keeps the person signed in on the same URL', async ({ page, request }) => {
  const name = unique('Reload');
  const id = await createCampaign(request, await tokenOf(request, 'marketing'), name);
  const token = watchToken(page);
  await SignInPage.as(page, 'marketing');
  await spaGoto(page, `/campaigns/${id}/edit?tab=rewards`);
  await ready(page);
  const before = token();

  await recordPaths(page);
  const refreshed = page.waitForResponse(
    (r) =>
      r.url().endsWith('/graphql') &&
      r.request().method() === 'POST' &&
      (r.request().postData() ?? '').includes('refreshSession'),
  );
  await page.reload();
  const answer = (await (await refreshed).json()) as {
    data?: { refreshSession: { user: { email: string } } };
  };
  expect(answer.data?.refreshSession.user.email).toBe('marketing@console.test');
  await expect(page.getByRole('heading', { name: `Build “${name}”`, level: 1 })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Reward rules' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await ready(page);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(
    `/campaigns/${id}/edit?tab=rewards`,
  );
  // No flash of the sign-in page: the URL never went there, nor did its heading show.
  expect(await page.evaluate(() => window.__paths)).not.toContain('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toHaveCount(0);
  // The reload's token is a new one, and it works.
  const after = token();
  expect(after).toBeTruthy();
  expect(after).not.toBe(before);
  const me = await gql<{ me: { email: string } }>(request, after, ME);
  expect(me.data?.me.email).toBe('marketing@console.test');
});

test('after "Sign out" a reload lands on sign-in and the old token is refused', async ({
  page,
  request,
}) => {
  const token = watchToken(page);
  await SignInPage.as(page, 'sales');
  await page.reload();
  await ready(page);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  const held = token();
  expect(held).toBeTruthy();
  expect((await gql<{ me: { email: string } }>(request, held, ME)).data?.me.email).toBe(
    'sales@console.test',
  );

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You have signed out.')).toBeVisible();
  expect(await page.context().cookies()).toEqual([]);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  // A screen that needs a session finds none either: sign in, keeping where they wanted to go.
  await page.goto('/campaigns?page=2');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect(new URL(page.url()).searchParams.get('next')).toBe('/campaigns?page=2');
  await expect(page.getByText('Your session expired', { exact: false })).toHaveCount(0);

  // The session ended on the server: the token taken before signing out no longer works.
  const refused = await gql(request, held, ME);
  expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('the session cookie is httpOnly, strict and sent only to /graphql', async ({ page }) => {
  await SignInPage.as(page, 'finance');
  const cookies = await page.context().cookies();
  const cookie = cookies.find((c) => c.name === 'gv_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/graphql' });
  expect(await page.evaluate(() => document.cookie)).not.toContain('gv_session');
  // Nor is the token kept in web storage.
  const stored = await page.evaluate(() =>
    [localStorage, sessionStorage].flatMap((store) =>
      Object.keys(store).map((key) => store.getItem(key) ?? ''),
    ),
  );
  expect(stored.join('\n')).not.toMatch(/ey[A-Za-z0-9_-]{10,}\./);
});

test('a request refused as UNAUTHENTICATED is retried once after a refresh', async ({
  page,
  request,
}) => {
  const name = unique('Retry');
  const id = await createCampaign(request, await tokenOf(request, 'marketing'), name);
  await SignInPage.as(page, 'marketing');

  // The server refuses the next query once, as it would a token past its expiry.
  const sent: { refresh: boolean; auth: string | undefined }[] = [];
  let refusedOnce = false;
  await page.route('**/graphql', async (route) => {
    const r = route.request();
    const refresh = (r.postData() ?? '').includes('refreshSession');
    sent.push({ refresh, auth: r.headers().authorization });
    if (!refresh && !refusedOnce && r.headers().authorization) {
      refusedOnce = true;
      await route.fulfill({
        contentType: 'application/graphql-response+json',
        body: JSON.stringify({
          data: null,
          errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }],
        }),
      });
      return;
    }
    await route.continue();
  });
  await spaGoto(page, `/campaigns/${id}`);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await ready(page);
  expect(new URL(page.url()).pathname).toBe(`/campaigns/${id}`);
  // The refused query, one refresh, the same query again with the new token; no more refreshes.
  expect(sent.slice(0, 3).map((s) => s.refresh)).toEqual([false, true, false]);
  expect(sent.filter((s) => s.refresh)).toHaveLength(1);
  expect(sent[2]?.auth).toMatch(/^Bearer /);
  expect(sent[2]?.auth).not.toBe(sent[0]?.auth);
});
