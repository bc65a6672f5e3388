// Every route of the console's router (src/app/routePaths.ts), at 1280 and 390 px: the screen
// gets ready, nothing scrolls sideways, axe finds no serious or critical violation, and (through
// the watched page fixture) no console error, CSP violation or request to another origin.
// A screenshot of each screen is kept in test-results/screens/.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { ROUTES } from '../src/app/routePaths';
import { createCampaign, enrolMany, tokenOf } from './api';
import { unique } from './env';
import { expect, ready, settled, spaGoto, test } from './fixtures';
import { pathOf } from './paths';
import { SignInPage } from './pages/SignInPage';

const WIDTHS = [1280, 390] as const;

async function check(page: Page, name: string, width: number): Promise<void> {
  await ready(page);
  await settled(page);
  const { overflow, widest } = await page.evaluate(() => {
    const root = document.documentElement;
    // The outermost elements that reach past the right edge: what to fix when this fails.
    const past = Array.from(document.body.querySelectorAll('*')).filter(
      (el) => el.getBoundingClientRect().right > root.clientWidth + 0.5,
    );
    const outermost = past.filter((el) => !past.some((o) => o !== el && o.contains(el)));
    return {
      overflow: root.scrollWidth - root.clientWidth,
      widest: outermost
        .slice(0, 5)
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}.${Array.from(el.classList).join('.')} ` +
            `right=${Math.round(el.getBoundingClientRect().right)} ` +
            `"${el.textContent.trim().slice(0, 60)}"`,
        ),
    };
  });
  expect(
    overflow,
    `${name} scrolls sideways at ${width}px; past the edge: ${widest.join(' | ')}`,
  ).toBeLessThanOrEqual(0);
  const axe = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `${name} at ${width}px`,
  ).toEqual([]);
  await page.screenshot({ path: `test-results/screens/${name}-${width}.png`, fullPage: true });
}

test('every route works at 1280 and 390 px', async ({ page, request }) => {
  test.setTimeout(300_000);
  const token = await tokenOf(request, 'marketing');
  const id = await createCampaign(request, token, unique('Routes'), { launch: true });
  const other = await createCampaign(request, token, unique('Routes B'), { launch: true });
  const [first] = await enrolMany(request, token, id, unique('route').replace(' ', '-'), 3);
  if (!first) throw new Error('nobody enrolled');
  const ids = {
    id,
    participantId: first.participantId,
    enrolmentId: first.enrolmentId,
    compareIds: [id, other],
  };

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/sign-in');
    await check(page, 'signIn', width);
  }

  await page.setViewportSize({ width: 1280, height: 900 });
  await SignInPage.as(page, 'admin');
  for (const route of ROUTES.filter((r) => r.id !== 'signIn')) {
    for (const width of WIDTHS) {
      await test.step(`${route.id} at ${width}px`, async () => {
        await page.setViewportSize({ width, height: 900 });
        await spaGoto(page, '/campaigns');
        await ready(page);
        await spaGoto(page, pathOf(route, ids));
        await check(page, route.id, width);
      });
    }
  }
});

test('GraphiQL at /graphql loads its editor from our origin only', async ({ page }) => {
  await page.goto('/graphql', { waitUntil: 'networkidle' });
  await expect(page.locator('.graphiql-container')).toBeVisible();
  await expect(page.locator('.monaco-editor').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/graphiql-1280.png' });
});
