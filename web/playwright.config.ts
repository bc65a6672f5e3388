// Browser tests against a live console + grapevine. The environment says where and as whom:
//   GRAPEVINE_URL         the console's origin (vite preview with its proxy, or the binary)
//   GRAPEVINE_PASSWORD    password of admin@, marketing@, sales@, finance@, ops@console.test
//   GRAPEVINE_SECRET_KEY  an sk_… key of that tenant (the "shop's server" reporting purchases)
// scripts/dev-backend.sh starts a local grapevine with exactly these and prints them.
// Debian's Chromium is used (no browser download): /usr/bin/chromium, or CHROMIUM_PATH.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.GRAPEVINE_URL ?? 'http://127.0.0.1:4173';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/artifacts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
