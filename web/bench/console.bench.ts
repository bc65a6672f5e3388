// The console's budgets (DESIGN.md §5, issue 15) measured in Chromium, for `just bench`'s console
// section (bench/console.py starts the release binary on a fresh database seeded by `grapevine
// demo`, then runs this file with `playwright test --config bench/playwright.config.ts`):
//
// - the JavaScript the browser loads for /sign-in with an empty cache, and apart from it the CSS:
//   every script and stylesheet response until the network is idle, each body gzipped here
//   (zlib's default level, as `gzip` and Vite's build report) because the server sends them
//   uncompressed;
// - for every route of the router (src/app/routePaths.ts), the time from navigation start to the
//   moment the screen's `data-ready` marker says its data is shown (a `data-ready="true"` and no
//   `data-ready="false"` left, as e2e's `ready()` waits for), seen by a MutationObserver in the
//   page, over full page loads with a warm cache (one load first to fill it), signed in as a
//   demo staff member whose role may see the route.
//
// Environment: GRAPEVINE_URL (the server), CONSOLE_BENCH_DEMO (a file holding `grapevine demo
// --json`'s output), CONSOLE_BENCH_OUT (where the figures go, as JSON), CONSOLE_BENCH_LOADS (warm
// loads per route, default 5).
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  test,
  type Browser,
  type BrowserContext,
  type Page,
  type Response,
} from '@playwright/test';
import { ROUTES, type RouteSpec } from '../src/app/routePaths';
import { can } from '../src/auth/roles';
import type { Role } from '../src/graphql/generated/graphql';
import { en } from '../src/i18n/en';
import { COMPARE_MAX } from '../src/reports/urls';
import { gql, ok } from '../e2e/api';
import { env } from '../e2e/env';
import { expect, ready } from '../e2e/fixtures';
import { SignInPage } from '../e2e/pages/SignInPage';
import { pathOf, type RouteIds } from '../e2e/paths';

/** What `grapevine demo --json` prints (api/src/services/demo/output.rs), as far as used here. */
interface Demo {
  token: string;
  campaign_id: string;
  staff: { role: Role; email: string; password: string }[];
}

interface Asset {
  path: string;
  bytes: number;
  gzip: number;
}

interface RouteFigures {
  id: string;
  pattern: string;
  path: string;
  /** Who was signed in (null: nobody, for the sign-in page). */
  role: Role | null;
  /** Navigation start → ready, per warm load (ms). */
  ready: number[];
  /** Navigation start → DOMContentLoaded handled, per warm load (ms). */
  domContentLoaded: number[];
}

declare global {
  interface Window {
    __benchReady?: { at: number; path: string };
  }
}

const VIEWPORT = { width: 1280, height: 900 };
/** The console's main user first; every route goes to the first role here that may see it. */
const ROLE_PREFERENCE: readonly Role[] = ['MARKETING_MANAGER', 'SALES', 'FINANCE', 'OPS', 'ADMIN'];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: bench/console.py sets it`);
  return value;
}

/** Runs in every page before its scripts: notes when (and where) the screen first says ready. */
function watchReady(): void {
  const isReady = () =>
    document.querySelector('[data-ready="true"]') !== null &&
    document.querySelector('[data-ready="false"]') === null;
  const observer = new MutationObserver(() => {
    if (!isReady()) return;
    window.__benchReady = { at: performance.now(), path: window.location.pathname };
    observer.disconnect();
  });
  observer.observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-ready'],
  });
}

async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: env.baseURL,
    viewport: VIEWPORT,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await context.addInitScript(watchReady);
  return context;
}

function assetKind(response: Response): 'js' | 'css' | null {
  const type = response.request().resourceType();
  const contentType = response.headers()['content-type'] ?? '';
  if (type === 'script' || contentType.includes('javascript')) return 'js';
  if (type === 'stylesheet' || contentType.includes('text/css')) return 'css';
  return null;
}

/** Every script and stylesheet a first visit to /sign-in loads, with an empty cache. */
async function signInAssets(browser: Browser): Promise<{ js: Asset[]; css: Asset[] }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const responses: Response[] = [];
  page.on('response', (r) => responses.push(r));
  await page.goto('/sign-in', { waitUntil: 'load' });
  await ready(page);
  await page.waitForLoadState('networkidle');
  const found = { js: new Map<string, Asset>(), css: new Map<string, Asset>() };
  for (const response of responses) {
    const kind = assetKind(response);
    if (!kind) continue;
    expect(response.status(), response.url()).toBe(200);
    const body = await response.body();
    const path = new URL(response.url()).pathname;
    found[kind].set(path, { path, bytes: body.length, gzip: gzipSync(body).length });
  }
  await context.close();
  return { js: [...found.js.values()], css: [...found.css.values()] };
}

/** One full load of `path` (from a blank page, so it is a new navigation): its timings. */
async function timedLoad(page: Page, path: string): Promise<{ ready: number; dcl: number }> {
  await page.goto('about:blank');
  await page.goto(path, { waitUntil: 'commit' });
  await ready(page);
  // A screen that shows an error or a refusal is ready too, but is not what was to be measured.
  await expect(page.getByText(en['state.errorTitle'])).toHaveCount(0);
  await expect(page.getByRole('heading', { name: en['forbidden.title'] })).toHaveCount(0);
  const seen = await page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return { ready: window.__benchReady, type: nav?.type, dcl: nav?.domContentLoadedEventEnd };
  });
  if (!seen.ready || seen.dcl === undefined) throw new Error(`${path}: no ready moment seen`);
  expect(seen.type, path).toBe('navigate');
  expect(seen.ready.path, `${path} became ready elsewhere`).toBe(path.split('?')[0]);
  return { ready: seen.ready.at, dcl: seen.dcl };
}

function roleFor(route: RouteSpec, staff: readonly Role[]): Role | null {
  if (route.id === 'signIn') return null;
  const role = ROLE_PREFERENCE.find(
    (r) => staff.includes(r) && (route.capability === null || can(r, route.capability)),
  );
  if (!role) throw new Error(`no demo staff member may see ${route.path}`);
  return role;
}

test('the console against its budgets, on the demo data', async ({ browser, request }) => {
  const demo = JSON.parse(readFileSync(required('CONSOLE_BENCH_DEMO'), 'utf8')) as Demo;
  const out = required('CONSOLE_BENCH_OUT');
  const loads = Number(process.env.CONSOLE_BENCH_LOADS ?? '5');

  const { campaign, campaigns } = await ok(
    gql<{
      campaign: { enrolments: { nodes: { id: string; participantId: string }[] } };
      campaigns: { nodes: { id: string; startsAt: string }[] };
    }>(
      request,
      demo.token,
      `query($id: UUID!) {
        campaign(id: $id) { enrolments(first: 1) { nodes { id participantId } } }
        campaigns(first: ${COMPARE_MAX}) { nodes { id startsAt } }
      }`,
      { id: demo.campaign_id },
    ),
  );
  const [enrolment] = campaign.enrolments.nodes;
  if (!enrolment) throw new Error('the demo campaign has nobody enrolled');
  const ids: RouteIds = {
    id: demo.campaign_id,
    participantId: enrolment.participantId,
    enrolmentId: enrolment.id,
    // The demo's started campaigns (it seeds one: the comparison then shows its one row).
    compareIds: campaigns.nodes
      .filter((c) => new Date(c.startsAt).getTime() <= Date.now())
      .map((c) => c.id),
  };

  const signIn = await signInAssets(browser);

  // One browser context per role, signed in once; every load after that restores the session
  // from its cookie, as a reload does.
  const contexts = new Map<Role | null, Page>();
  const pageAs = async (role: Role | null): Promise<Page> => {
    const known = contexts.get(role);
    if (known) return known;
    const page = await (await newContext(browser)).newPage();
    const member = demo.staff.find((s) => s.role === role);
    if (member) {
      const form = new SignInPage(page);
      await form.open();
      await form.signInWith(member.email, member.password);
    }
    contexts.set(role, page);
    return page;
  };

  const routes: RouteFigures[] = [];
  const staff = demo.staff.map((s) => s.role);
  for (const route of ROUTES) {
    const role = roleFor(route, staff);
    const path = pathOf(route, ids);
    const figures: RouteFigures = {
      id: route.id,
      pattern: route.path,
      path,
      role,
      ready: [],
      domContentLoaded: [],
    };
    await test.step(`${route.id} as ${role ?? 'nobody'}`, async () => {
      const page = await pageAs(role);
      await timedLoad(page, path);
      for (let i = 0; i < loads; i += 1) {
        const load = await timedLoad(page, path);
        figures.ready.push(load.ready);
        figures.domContentLoaded.push(load.dcl);
      }
    });
    routes.push(figures);
  }
  for (const page of contexts.values()) await page.context().close();

  writeFileSync(out, JSON.stringify({ viewport: VIEWPORT, loads, signIn, routes }, null, 1));
});
