// For each field of CreateCampaignInput (read from schema.graphql, not listed by hand), one
// invalid value shows its error beside that field, and no campaign is created.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, isInputObjectType } from 'graphql';
import type { Page } from '@playwright/test';
import { campaignNames, tokenOf } from './api';
import { unique } from './env';
import { expect, ready, spaGoto, test } from './fixtures';
import { byLabel } from './labels';
import { BuilderPage } from './pages/BuilderPage';
import { SignInPage } from './pages/SignInPage';

const sdl = readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8');
const input = buildSchema(sdl).getType('CreateCampaignInput');
if (!isInputObjectType(input)) throw new Error('CreateCampaignInput is not an input type');
const FIELDS = Object.keys(input.getFields());

interface Case {
  /** The label of the input the error must appear beside. */
  label: string;
  /** Makes the value invalid. */
  spoil: (b: BuilderPage) => Promise<void>;
}

const CASES: Record<string, Case> = {
  name: { label: 'Name', spoil: (b) => b.field('Name').fill('   ') },
  description: {
    label: 'Description',
    spoil: (b) => b.field('Description').fill('x'.repeat(10_001)),
  },
  goals: {
    label: 'Target',
    spoil: (b) => b.addKpiGoal('Acquisition', 'Grow', 'Conversion rate', '0', '2030-01-01'),
  },
  audience: {
    label: 'Countries',
    spoil: async (b) => {
      await b.field('Countries').fill('XYZ');
      await b.field('Countries').press('Enter');
    },
  },
  startsAt: { label: 'Starts', spoil: (b) => b.fillDate('Starts', '') },
  endsAt: { label: 'Ends', spoil: (b) => b.fillDate('Ends', '2001-01-01 10:00') },
  timeZone: {
    label: 'Time zone',
    spoil: async (b) => {
      await b.field('Time zone').fill('Mars/Olympus_Mons');
      await b.field('Time zone').press('Escape');
    },
  },
  currency: {
    label: 'Currency',
    spoil: async (b) => {
      await b.field('Currency').fill('ZZQ');
      await b.field('Currency').press('Escape');
    },
  },
  budgetMinor: { label: 'Budget', spoil: (b) => b.field('Budget').fill('-5') },
  attributionWindowDays: {
    label: 'Attribution window (days)',
    spoil: (b) => b.field('Attribution window (days)').fill('0'),
  },
  attributionModel: {
    label: 'Attribution model',
    // The select's clear button is hidden from assistive tech (Mantine): clicked as a mouse user would.
    spoil: (b) =>
      b.page
        .getByRole('combobox', { name: 'Attribution model' })
        .locator('xpath=..')
        .locator('button')
        .click(),
  },
  holdDays: {
    label: 'Hold period (days)',
    spoil: (b) => b.field('Hold period (days)').fill('400'),
  },
  landingUrl: { label: 'Landing URL', spoil: (b) => b.field('Landing URL').fill('not a url') },
  holdoutBps: { label: 'Holdout share', spoil: (b) => b.field('Holdout share').fill('70') },
};

async function expectErrorBeside(page: Page, label: string): Promise<void> {
  const control = byLabel(page, label).last();
  await expect(control).toHaveAttribute('aria-invalid', 'true');
  const describedBy = (await control.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(/\s+/).find((id) => id.endsWith('-error'));
  expect(errorId, `no error linked to ${label}`).toBeTruthy();
  const error = page.locator(`[id="${errorId}"]`);
  await expect(error).toBeVisible();
  await expect(error).not.toHaveText('');
}

test('every CreateCampaignInput field has a case', () => {
  expect(FIELDS.filter((f) => !(f in CASES))).toEqual([]);
});

test('an invalid value of each campaign field is shown beside it and nothing is created', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const token = await tokenOf(request, 'marketing');
  const before = (await campaignNames(request, token)).length;
  await SignInPage.as(page, 'marketing');
  for (const field of FIELDS) {
    const testCase = CASES[field];
    if (!testCase) continue;
    await test.step(field, async () => {
      await spaGoto(page, '/campaigns');
      await ready(page);
      await spaGoto(page, '/campaigns/new');
      await ready(page);
      const builder = new BuilderPage(page);
      await builder.field('Name').fill(unique(`Invalid ${field}`));
      await testCase.spoil(builder);
      await page.getByRole('button', { name: 'Create draft' }).click();
      await expectErrorBeside(page, testCase.label);
      await expect(page).toHaveURL(/\/campaigns\/new$/);
    });
  }
  expect((await campaignNames(request, token)).length).toBe(before);
});
