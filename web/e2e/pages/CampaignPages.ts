import type { Page } from '@playwright/test';
import { expect, ready } from '../fixtures';
import { byLabel } from '../labels';

/** Detail, participants, links and report of one campaign, reached through its own menu. */
export class CampaignPages {
  constructor(readonly page: Page) {}

  private nav() {
    return this.page.getByRole('navigation', { name: 'Campaign pages' });
  }

  /**
   * Follows one link of the campaign menu. The page left behind stays shown (and ready) while the
   * next route loads, so this waits for the new page's own menu to mark the link current.
   */
  private async go(name: string): Promise<void> {
    const link = this.nav().getByRole('link', { name, exact: true });
    await link.click();
    await expect(link).toHaveAttribute('aria-current', 'page');
    await ready(this.page);
  }

  async overview(): Promise<void> {
    await this.go('Overview');
  }

  async participants(): Promise<void> {
    await this.go('Participants & links');
  }

  async report(): Promise<void> {
    await this.go('Report');
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
    // The participants page stays shown (and ready) while the links route loads: wait for the
    // links page itself before reading it.
    await expect(this.page.getByText(`customer id ${externalId}`, { exact: false })).toBeVisible();
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
