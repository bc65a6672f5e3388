// Messages: `t('key', { name })` from the typed catalogue. `?locale=pseudo` on the first URL
// switches to the pseudo-locale for the page's life. Numbers, dates and money use the browser's
// locale whatever the catalogue (see src/format/).
import { en, type Catalogue, type MessageKey } from './en';
import { pseudoCatalogue } from './pseudo';

export type { MessageKey };

export type LocaleId = 'en' | 'pseudo';

function initialLocale(): LocaleId {
  if (typeof window === 'undefined') return 'en';
  return new URLSearchParams(window.location.search).get('locale') === 'pseudo' ? 'pseudo' : 'en';
}

let locale: LocaleId = initialLocale();
let catalogue: Catalogue = locale === 'pseudo' ? pseudoCatalogue(en) : en;

export function setLocale(next: LocaleId): void {
  locale = next;
  catalogue = next === 'pseudo' ? pseudoCatalogue(en) : en;
}

export function currentLocale(): LocaleId {
  return locale;
}

export type Params = Record<string, string | number>;

/** Replaces `{name}` with `params.name`. */
export function interpolate(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function t(key: MessageKey, params?: Params): string {
  return interpolate(catalogue[key], params);
}
