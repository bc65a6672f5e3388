// The page every test uses, watched: a console error, an uncaught exception, a CSP violation
// (`securitypolicyviolation`) or a request to another origin fails the test that caused it.
import { test as base, expect, type Page } from '@playwright/test';
import { env } from './env';

interface Watch {
  problems: string[];
}

declare global {
  interface Window {
    __csp?: string[];
  }
}

export const test = base.extend<{ watch: Watch }>({
  watch: [
    async ({ page }, use) => {
      const watch: Watch = { problems: [] };
      const origin = new URL(env.baseURL).origin;
      await page.addInitScript(() => {
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__csp?.push(`${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      page.on('console', (m) => {
        if (m.type() === 'error') watch.problems.push(`console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => watch.problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        const url = r.url();
        if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return;
        if (new URL(url).origin !== origin) watch.problems.push(`outside request: ${url}`);
      });
      await use(watch);
      const csp = await page.evaluate(() => window.__csp ?? []).catch(() => [] as string[]);
      for (const v of csp) watch.problems.push(`CSP violation: ${v}`);
      expect(watch.problems, watch.problems.join('\n')).toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Client-side navigation, as a person clicking through (a full load would restore the session). */
export async function spaGoto(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    window.history.pushState({}, '', p);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/**
 * Waits for the screen of the address bar's location to say its data is shown. Right after a
 * client-side navigation the previous screen (ready, and of another path) stays up while the next
 * route's code loads; it must not count.
 */
export async function ready(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const here = Array.from(document.querySelectorAll('[data-ready]')).filter(
            (el) => el.getAttribute('data-path') === window.location.pathname,
          );
          return (
            here.some((el) => el.getAttribute('data-ready') === 'true' && el.checkVisibility()) &&
            document.querySelector('[data-ready="false"]') === null
          );
        }),
      { message: 'the screen of the current location never became ready' },
    )
    .toBe(true);
}

/**
 * Waits until no CSS transition is running (the shell slides its menu in and out when the viewport
 * crosses its breakpoint), so what is measured is the layout at rest.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.allSettled(
      document
        .getAnimations()
        .filter((a) => a instanceof CSSTransition)
        .map((a) => a.finished),
    ),
  );
}
