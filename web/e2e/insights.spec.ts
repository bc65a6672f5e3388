// Insights dismissed on the server: a marketing manager sets one aside, it stays set aside after
// a reload (and for everyone who reads the report), can be shown again with its dismissal, and
// brought back. A sales user reads the same report without the buttons.
import { createCampaign, tokenOf } from './api';
import { unique } from './env';
import { expect, ready, spaGoto, test } from './fixtures';
import { SignInPage } from './pages/SignInPage';

test('a dismissed insight stays dismissed until it is brought back', async ({ page, request }) => {
  const token = await tokenOf(request, 'marketing');
  // Three days in with no customer against 50 by 2030: its KPI is at risk (kpi_at_risk).
  const id = await createCampaign(request, token, unique('Insights'), {
    launch: true,
    startedDaysAgo: 3,
  });

  await SignInPage.as(page, 'marketing');
  await spaGoto(page, `/campaigns/${id}/report`);
  await ready(page);
  const insights = page.getByRole('region', { name: 'Insights and recommendations' });
  const atRisk = insights.locator('.mantine-Card-root', { hasText: 'is at risk' });
  await expect(atRisk).toHaveCount(1);
  await atRisk.getByRole('button', { name: 'Dismiss' }).click();
  await expect(atRisk).toHaveCount(0);
  const show = insights.getByRole('button', { name: 'Show 1 dismissed' });
  await expect(show).toBeVisible();

  await page.reload();
  await ready(page);
  await expect(atRisk).toHaveCount(0);
  await show.click();
  await expect(atRisk).toHaveCount(1);
  await expect(atRisk.getByText(/^Dismissed /)).toBeVisible();
  await atRisk.getByRole('button', { name: 'Bring back' }).click();
  await expect(atRisk.getByRole('button', { name: 'Dismiss' })).toBeVisible();
  await expect(insights.getByRole('button', { name: /dismissed$/ })).toHaveCount(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await SignInPage.as(page, 'sales');
  await spaGoto(page, `/campaigns/${id}/report`);
  await ready(page);
  await expect(atRisk).toHaveCount(1);
  await expect(insights.getByRole('button', { name: 'Dismiss' })).toHaveCount(0);
});
