// Sales reads campaigns and enrols, but sees no builder or lifecycle actions, cannot open the
// builder by URL, and the API refuses a change made with a sales session.
import { createCampaign, gql, tokenOf } from './api';
import { unique } from './env';
import { expect, ready, spaGoto, test } from './fixtures';
import { SignInPage } from './pages/SignInPage';

test('sales sees campaigns read-only and the API refuses their changes', async ({
  page,
  request,
}) => {
  const marketing = await tokenOf(request, 'marketing');
  const id = await createCampaign(request, marketing, unique('Sales view'));

  await SignInPage.as(page, 'sales');
  await expect(page.getByRole('link', { name: 'New campaign' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Import design' })).toHaveCount(0);
  await expect(
    page
      .getByRole('navigation', { name: 'Main menu' })
      .getByRole('link', { name: 'Programme health' }),
  ).toHaveCount(0);

  await spaGoto(page, `/campaigns/${id}`);
  await ready(page);
  for (const name of ['Launch', 'Edit', 'Duplicate', 'Export design']) {
    await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);
  }
  await expect(
    page.getByRole('navigation', { name: 'Campaign pages' }).getByRole('link', { name: 'Builder' }),
  ).toHaveCount(0);
  await expect(
    page.getByRole('navigation', { name: 'Campaign pages' }).getByRole('link', { name: 'Report' }),
  ).toBeVisible();

  await spaGoto(page, `/campaigns/${id}/edit`);
  await ready(page);
  await expect(page.getByRole('heading', { name: 'Not available' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save settings' })).toHaveCount(0);

  const sales = await tokenOf(request, 'sales');
  const refused = await gql(
    request,
    sales,
    'mutation($id: UUID!) { launchCampaign(id: $id) { id } }',
    { id },
  );
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const edit = await gql(
    request,
    sales,
    'mutation($id: UUID!) { updateCampaign(id: $id, input: { name: "hijacked" }) { id } }',
    { id },
  );
  expect(edit.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});
