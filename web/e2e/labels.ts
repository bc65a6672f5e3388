import type { Page } from '@playwright/test';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The input labelled exactly `label` (a required field's label ends in " *"; listboxes excluded). */
export function byLabel(page: Page, label: string) {
  return page
    .getByLabel(new RegExp(`^${escape(label)}( \\*)?$`))
    .and(page.locator('input, textarea'));
}
