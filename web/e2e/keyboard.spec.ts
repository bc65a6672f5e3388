// The builder completed with the keyboard alone: sign in, open the builder, fill the settings,
// create the draft and add a reward rule without touching the mouse.
import type { Locator, Page } from '@playwright/test';
import { emailOf, env, unique } from './env';
import { expect, ready, test } from './fixtures';
import { byLabel } from './labels';

/** Presses Tab until `target` has the focus (at most `max` times). */
async function tabTo(page: Page, target: Locator, max = 120): Promise<void> {
  const handle = await target.elementHandle();
  for (let i = 0; i < max; i += 1) {
    if (await handle.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('never reached by Tab');
}

test('the campaign builder can be completed with the keyboard alone', async ({ page }) => {
  const name = unique('Keyboard');
  await page.goto('/sign-in');
  await tabTo(page, page.getByRole('textbox', { name: 'Email' }));
  await page.keyboard.type(emailOf('marketing'));
  await page.keyboard.press('Tab');
  await page.keyboard.type(env.password);
  await page.keyboard.press('Enter');
  await ready(page);

  await tabTo(page, page.getByRole('link', { name: 'New campaign' }));
  await page.keyboard.press('Enter');
  await ready(page);
  await tabTo(page, byLabel(page, 'Name'));
  await page.keyboard.type(name);
  await tabTo(page, byLabel(page, 'Budget'));
  await page.keyboard.type('2500');
  await tabTo(page, byLabel(page, 'Landing URL'));
  await page.keyboard.type('https://shop.example/keyboard');
  await tabTo(page, page.getByRole('button', { name: 'Create draft' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/edit\?tab=rewards$/);
  await ready(page);

  await tabTo(page, byLabel(page, 'Amount (EUR)'));
  await page.keyboard.type('12.50');
  await tabTo(page, page.getByRole('button', { name: 'Add rule' }));
  await page.keyboard.press('Enter');
  await expect(page.getByText('Reward rule added.')).toBeVisible();
  await expect(page.getByText('€12.50')).toBeVisible();
});
