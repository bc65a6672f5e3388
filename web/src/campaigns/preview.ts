// The live preview of materials: template variables replaced by sample values.
export interface SampleValues {
  first_name: string;
  referral_link: string;
  referral_code: string;
  campaign_name: string;
  company_name: string;
  reward_summary: string;
  unsubscribe_url: string;
}

/** Replaces `{{ name }}` with its sample; unknown variables stay visible, as the server would refuse them. */
export function renderTemplate(template: string, values: SampleValues): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) =>
    name in values ? values[name as keyof SampleValues] : whole,
  );
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Samples for the HTML body are escaped, as the server escapes values in `emailHtml`. */
export function escapeValues(values: SampleValues): SampleValues {
  const out = { ...values };
  for (const key of Object.keys(out) as (keyof SampleValues)[]) {
    out[key] = out[key].replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
  }
  return out;
}
