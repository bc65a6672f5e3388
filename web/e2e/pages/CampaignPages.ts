import type { Page } from '@playwright/test';
import { expect, ready } from '../fixtures';
import { byLabel } from '../labels';

/** Detail, participants, links and report of one campaign, reached through its own menu. */
export class CampaignPages {
  constructor(readonly page: Page) {}

  private nav() {
    return this.page.getByRole('navigation', { name: 'Campaign pages' });
  }

  async overview(): Promise<void> {
    await this.nav().getByRole('link', { name: 'Overview' }).click();
    await ready(this.page);
  }

  async participants(): Promise<void> {
    await this.nav().getByRole('link', { name: 'Participants & links' }).click();
    await ready(this.page);
  }

  async report(): Promise<void> {
    await this.nav().getByRole('link', { name: 'Report' }).click();
    await ready(this.page);
  }

  async lifecycle(action: 'Launch' | 'Pause' | 'Resume' | 'End', name: string): Promise<void> {
    await this.page.getByRole('button', { name: action, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: `${action} “${name}”?` });
    await dialog.getByRole('button', { name: action, exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  async enrol(externalId: string, email: string): Promise<void> {
    await byLabel(this.page, 'Customer id').fill(externalId);
    await byLabel(this.page, 'Email').fill(email);
    await this.page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await expect(this.page.getByText(/Enrolled: referral code/)).toBeVisible();
    await expect(this.page.getByRole('cell', { name: externalId, exact: true })).toBeVisible();
  }

  async openLinksOf(externalId: string): Promise<string[]> {
    await this.page.getByRole('link', { name: `Links of ${externalId}` }).click();
    await ready(this.page);
    return this.page.getByTestId('link-url').allTextContents();
  }

  /** Refreshes the report until `check` passes (rollups lag by up to their interval). */
  async refreshReportUntil(testId: string, expected: RegExp | string): Promise<void> {
    await expect
      .poll(
        async () => {
          await this.page.getByRole('button', { name: 'Refresh' }).click();
          await ready(this.page);
          return (await this.page.getByTestId(testId).textContent()) ?? '';
        },
        { timeout: 30_000, intervals: [500, 1000] },
      )
      .toMatch(expected);
  }
}
