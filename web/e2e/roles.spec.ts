// The menu and campaign pages per role (finance, ops), the session-expired path, and the
// pseudo-locale.
import { createCampaign, gql, ok, tokenOf } from './api';
import { env, unique } from './env';
import { expect, ready, spaGoto, test } from './fixtures';
import { SignInPage } from './pages/SignInPage';

test('finance reads reports but manages no participants; ops reads no reports', async ({
  page,
  request,
}) => {
  const id = await createCampaign(request, await tokenOf(request, 'marketing'), unique('Roles'));
  const campaignNav = page.getByRole('navigation', { name: 'Campaign pages' });

  await SignInPage.as(page, 'finance');
  await expect(page.getByRole('columnheader', { name: 'Revenue' })).toBeVisible();
  await spaGoto(page, `/campaigns/${id}`);
  await ready(page);
  await expect(campaignNav.getByRole('link', { name: 'Report' })).toBeVisible();
  await expect(campaignNav.getByRole('link', { name: 'Participants & links' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Launch' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You have signed out.')).toBeVisible();

  await SignInPage.as(page, 'ops');
  await expect(page.getByRole('columnheader', { name: 'Revenue' })).toHaveCount(0);
  await expect(
    page.getByText('Your role does not read reports, so numbers are not shown.'),
  ).toBeVisible();
  await spaGoto(page, `/campaigns/${id}/report`);
  await ready(page);
  await expect(page.getByRole('heading', { name: 'Not available' })).toBeVisible();
});

test('a session that stops working sends the person to sign in again, keeping the URL', async ({
  page,
  request,
}) => {
  const admin = await tokenOf(request, 'admin');
  const email = `${unique('temp').replace(' ', '-')}@console.test`;
  const { createUser } = await ok(
    gql<{ createUser: { id: string } }>(
      request,
      admin,
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      {
        i: { email, name: 'Temporary', role: 'MARKETING_MANAGER', password: env.password },
      },
    ),
  );
  const id = await createCampaign(request, admin, unique('Expiry'));

  await page.goto('/sign-in');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(env.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await ready(page);

  await ok(
    gql(request, admin, 'mutation($id: UUID!) { deactivateUser(id: $id) { id } }', {
      id: createUser.id,
    }),
  );
  await spaGoto(page, `/campaigns/${id}`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(
    page.getByText('Your session expired: sign in again to continue where you were.'),
  ).toBeVisible();
  expect(new URL(page.url()).searchParams.get('next')).toBe(`/campaigns/${id}`);
});

test('the pseudo-locale shows every catalogue string accented', async ({ page }) => {
  await page.goto('/sign-in?locale=pseudo');
  await expect(page.getByRole('heading', { name: /^\[Šíĝñ íñ/ })).toBeVisible();
  await expect(page.getByText('Sign in', { exact: true })).toHaveCount(0);
});
