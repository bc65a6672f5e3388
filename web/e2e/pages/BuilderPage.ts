import type { Page } from '@playwright/test';
import { expect, ready } from '../fixtures';
import { byLabel } from '../labels';

/** The campaign builder (/campaigns/new and /campaigns/:id/edit). */
export class BuilderPage {
  constructor(readonly page: Page) {}

  field(label: string) {
    return byLabel(this.page, label);
  }

  async choose(label: string, option: string): Promise<void> {
    await this.page.getByRole('combobox', { name: label, exact: true }).click();
    await this.page.getByRole('option', { name: option, exact: true }).click();
  }

  async fillDate(label: string, value: string): Promise<void> {
    const input = this.field(label);
    await input.fill(value);
    await input.press('Escape');
  }

  async addKpiGoal(
    area: string,
    objective: string,
    metric: string,
    target: string,
    due: string,
  ): Promise<void> {
    await this.page.getByRole('button', { name: 'Add focus area' }).click();
    const n = await this.page.getByLabel(/^Focus area \d+( \*)?$/).count();
    await this.field(`Focus area ${n}`).fill(area);
    await this.page.getByRole('button', { name: 'Add objective' }).last().click();
    await this.field('Objective 1').last().fill(objective);
    await this.page.getByRole('button', { name: 'Add KPI' }).last().click();
    await this.choose('KPI 1 metric', metric);
    await this.field('Target').last().fill(target);
    await this.fillDate('Due', due);
  }

  async create(): Promise<string> {
    await this.page.getByRole('button', { name: 'Create draft' }).click();
    await expect(this.page).toHaveURL(/\/campaigns\/[0-9a-f-]+\/edit\?tab=rewards$/);
    await ready(this.page);
    const match = /\/campaigns\/([0-9a-f-]+)\/edit/.exec(this.page.url());
    if (!match?.[1]) throw new Error('no campaign id in the URL');
    return match[1];
  }

  async tab(name: 'Settings' | 'Reward rules' | 'Materials' | 'Offer variants'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  async addTieredReferrerRule(
    tiers: [number, string][],
    milestone: [number, string],
    cap: string,
  ): Promise<void> {
    await this.page.getByText('Referrer', { exact: true }).click();
    await this.choose('Amount', 'Tiers');
    for (const [i, [from, amount]] of tiers.entries()) {
      await this.page.getByRole('button', { name: 'Add tier' }).click();
      await this.field(`Tier ${i + 1}: from referral`).fill(String(from));
      await this.field(`Tier ${i + 1}: amount (EUR)`).fill(amount);
    }
    await this.page.getByRole('button', { name: 'Add milestone' }).click();
    await this.field('Milestone 1: at referral').fill(String(milestone[0]));
    await this.field('Milestone 1: bonus (EUR)').fill(milestone[1]);
    await this.field('Cap per referrer (EUR)').fill(cap);
    await this.page.getByRole('button', { name: 'Add rule' }).click();
    await expect(this.page.getByText('Reward rule added.')).toBeVisible();
  }

  async addFixedRefereeRule(amount: string): Promise<void> {
    await this.page.getByText('Referee (friend)', { exact: true }).click();
    await this.choose('Amount', 'Fixed amount');
    await this.field('Amount (EUR)').fill(amount);
    await this.page.getByRole('button', { name: 'Add rule' }).click();
    await expect(this.page.getByText('Reward rule added.').last()).toBeVisible();
  }

  async setMaterial(
    channel: string,
    values: { share: string; subject?: string; html?: string; text?: string },
  ): Promise<void> {
    await this.choose('Channel', channel);
    await this.field('Share text').fill(values.share);
    if (values.subject !== undefined) await this.field('Email subject').fill(values.subject);
    if (values.html !== undefined) await this.field('Email HTML').fill(values.html);
    if (values.text !== undefined) await this.field('Email plain text').fill(values.text);
    await this.page.getByRole('button', { name: `Save ${channel} material` }).click();
    await expect(this.page.getByText(`${channel} material saved.`)).toBeVisible();
  }
}
