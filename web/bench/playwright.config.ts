// The console benchmark (console.bench.ts), run by `just bench`'s console section
// (bench/console.py at the repository's root): the browser suites' settings (Debian's Chromium,
// 1280 × 900, en-US, UTC), its own test file, one long test.
import { defineConfig } from '@playwright/test';
import suites from '../playwright.config';

export default defineConfig({
  ...suites,
  testDir: '.',
  testMatch: 'console.bench.ts',
  outputDir: '../test-results/bench',
  timeout: 900_000,
});
