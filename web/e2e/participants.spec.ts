// Participants: a list of 120 paged through (cursors in the URL) and searched on the server, and a
// CSV import with a bad row whose error file can be downloaded.
import { createCampaign, enrolMany, tokenOf } from './api';
import { unique } from './env';
import { expect, ready, spaGoto, test } from './fixtures';
import { SignInPage } from './pages/SignInPage';

test('a list of 120 participants is paged', async ({ page, request }) => {
  const token = await tokenOf(request, 'marketing');
  const id = await createCampaign(request, token, unique('Paging'));
  const prefix = unique('pg').replace(' ', '-');
  await enrolMany(request, token, id, prefix, 120);

  await SignInPage.as(page, 'marketing');
  await spaGoto(page, `/campaigns/${id}/participants`);
  await ready(page);
  const rows = page.getByRole('table').getByRole('row');
  const pager = page.getByRole('navigation', { name: 'Participant pages' });
  const seen = new Set<string>();
  let previousFirst = '';
  for (let n = 1; n <= 6; n += 1) {
    await expect(pager.getByText(`Page ${n}`)).toBeVisible();
    await ready(page);
    await expect(rows.nth(1)).not.toHaveText(previousFirst);
    await expect(rows).toHaveCount(21);
    previousFirst = (await rows.nth(1).textContent()) ?? '';
    for (const text of await rows.allTextContents()) seen.add(text);
    if (n < 6) {
      await pager.getByRole('button', { name: 'Next' }).click();
      await expect(page).toHaveURL(/after=/);
    }
  }
  await expect(pager.getByRole('button', { name: 'Next' })).toBeDisabled();
  expect(seen.size).toBe(121);
  await pager.getByRole('button', { name: 'Previous' }).click();
  await expect(pager.getByText('Page 5')).toBeVisible();

  // The search runs on the server over all 120, not only the page shown: the first one enrolled
  // is on the last page, and from page 5 it is found alone; the URL keeps the search.
  await page.getByRole('searchbox', { name: 'Search participants' }).fill(`${prefix}-0@`);
  await expect(page).toHaveURL(/q=/);
  await expect(page).not.toHaveURL(/after=/);
  await ready(page);
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole('cell', { name: `${prefix}-0`, exact: true })).toBeVisible();
  await page.reload();
  await ready(page);
  await expect(page.getByRole('searchbox', { name: 'Search participants' })).toHaveValue(
    `${prefix}-0@`,
  );
  await expect(rows).toHaveCount(2);
  await page.getByRole('searchbox', { name: 'Search participants' }).fill('no-such-person');
  await ready(page);
  await expect(page.getByText('No participant matches.')).toBeVisible();
});

test('a CSV import shows its progress and offers the refused rows', async ({ page, request }) => {
  const token = await tokenOf(request, 'marketing');
  const id = await createCampaign(request, token, unique('Import'));
  const tag = unique('csv').replace(' ', '-');
  const csv = `external_id,email,first_name\n${tag}-1,${tag}-1@people.test,Ann\n${tag}-2,not-an-email,Bob\n${tag}-3,${tag}-3@people.test,Cy\n`;

  await SignInPage.as(page, 'marketing');
  await spaGoto(page, `/campaigns/${id}/participants`);
  await ready(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'CSV file' }).click();
  await (
    await chooser
  ).setFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByText('Import finished.')).toBeVisible();
  await expect(
    page.getByText(/3 of 3 rows read: 2 enrolled, 0 already in, 1 refused/),
  ).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download refused rows (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/errors\.csv$/);
  await expect(page.getByRole('cell', { name: `${tag}-1`, exact: true })).toBeVisible();
});
