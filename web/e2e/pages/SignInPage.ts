import type { Page } from '@playwright/test';
import { emailOf, env, type Who } from '../env';
import { expect, ready } from '../fixtures';

export class SignInPage {
  constructor(private readonly page: Page) {}

  async open(path = '/campaigns'): Promise<void> {
    await this.page.goto(path);
    await expect(this.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  }

  async signIn(who: Who): Promise<void> {
    await this.signInWith(emailOf(who), env.password);
  }

  /** Signs in with any staff member's credentials (the benchmark's demo staff). */
  async signInWith(email: string, password: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Email' }).fill(email);
    await this.page.getByRole('textbox', { name: 'Password' }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(this.page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await ready(this.page);
  }

  /** Opens `path` (default the campaign list) signed in as `who`. */
  static async as(page: Page, who: Who, path = '/campaigns'): Promise<void> {
    const signIn = new SignInPage(page);
    await signIn.open(path);
    await signIn.signIn(who);
  }
}
