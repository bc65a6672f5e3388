// Compare campaigns: a marketing manager ticks two launched campaigns in the list and compares
// them side by side (both rows, the chart); the selection and the period live in the URL, so a
// reload or a shared link shows the same; the picker on the screen changes the selection.
import { formatDay } from '../src/format';
import { reportUrls } from '../src/reports/urls';
import { createCampaign, tokenOf } from './api';
import { unique } from './env';
import { expect, ready, test } from './fixtures';
import { byLabel } from './labels';
import { SignInPage } from './pages/SignInPage';

test('marketing compares two launched campaigns chosen in the list', async ({ page, request }) => {
  const token = await tokenOf(request, 'marketing');
  const first = unique('Compare A');
  const second = unique('Compare B');
  const a = await createCampaign(request, token, first, { launch: true });
  const b = await createCampaign(request, token, second, { launch: true });
  const table = page.getByRole('region', { name: 'Campaigns side by side, scrolls sideways' });

  await SignInPage.as(page, 'marketing');
  const compare = page.getByRole('button', { name: 'Compare selected' });
  await page.getByRole('checkbox', { name: `Compare “${first}”` }).check();
  await expect(compare).toBeDisabled();
  await page.getByRole('checkbox', { name: `Compare “${second}”` }).check();
  await compare.click();
  await ready(page);
  await expect(page.getByRole('heading', { name: 'Compare campaigns' })).toBeVisible();
  expect(page.url()).toContain(reportUrls.compare([a, b]));
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table.getByRole('link', { name: first })).toBeVisible();
  await expect(table.getByRole('link', { name: second })).toBeVisible();
  await expect(
    page.getByRole('img', { name: 'Revenue and reward cost of each campaign' }),
  ).toBeVisible();

  // The picker: taking one away leaves one row and asks for another; adding it back compares
  // both again, the re-added one last.
  await byLabel(page, 'Campaigns').click();
  await page.getByRole('option', { name: first }).click();
  await ready(page);
  await expect(page.getByText('Add at least one more campaign to compare it with.')).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2);
  await page.getByRole('option', { name: first }).click();
  await page.keyboard.press('Escape');
  await ready(page);
  expect(page.url()).toContain(reportUrls.compare([b, a]));
  await expect(table.getByRole('row')).toHaveCount(3);

  // A period in the URL, on a full load (the session is restored from its cookie).
  const today = new Date().toISOString().slice(0, 10);
  await page.goto(reportUrls.compare([a, b], { from: today, to: today }));
  await ready(page);
  await expect(table.getByRole('row')).toHaveCount(3);
  const day = formatDay(today, 'en-US');
  await expect(table.getByRole('row', { name: new RegExp(first) })).toContainText(
    `${day} to ${day}`,
  );
});
