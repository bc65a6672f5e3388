// Numbers, money and dates for the browser's locale. Money arrives as
// `{ amountMinor: BigInt (a JSON string), currency }`: it is never turned into a float.

export interface MoneyValue {
  amountMinor: string;
  currency: string;
}

export function browserLocale(): string {
  return typeof navigator === 'undefined' ? 'en-US' : navigator.language || 'en-US';
}

/** Minor-unit digits of a currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function currencyExponent(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** `"-12345"`, 2 → `"-123.45"`, exactly (string arithmetic, no float). */
export function minorToDecimal(amountMinor: string, exponent: number): string {
  const negative = amountMinor.startsWith('-');
  const digits = (negative ? amountMinor.slice(1) : amountMinor).replace(/^0+(?=\d)/, '');
  if (exponent === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = padded.slice(padded.length - exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * A decimal typed by a person (`"12.5"`, `"12,50"`, `" 1200 "`) in major units → minor units as a
 * BigInt string, or null when it is not a number or has more decimals than the currency.
 */
export function decimalToMinor(text: string, currency: string): string | null {
  const cleaned = text.trim().replace(/\s/g, '').replace(',', '.');
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || cleaned === '' || cleaned === '-' || cleaned === '.') return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  const exponent = currencyExponent(currency || 'USD');
  if (fraction.length > exponent) return null;
  const minor = BigInt(`${whole || '0'}${fraction.padEnd(exponent, '0')}`);
  if (minor === 0n) return '0';
  return `${sign}${minor.toString()}`;
}

export function formatMoney(
  money: MoneyValue | null | undefined,
  locale = browserLocale(),
): string {
  if (!money) return '—';
  const exponent = currencyExponent(money.currency);
  const decimal = minorToDecimal(money.amountMinor, exponent);
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
  // Intl.NumberFormat formats decimal strings exactly (no float rounding) in current engines.
  return format.format(decimal as unknown as number);
}

/** A BigInt string or number as a count. */
export function formatCount(
  value: string | number | null | undefined,
  locale = browserLocale(),
): string {
  if (value === null || value === undefined) return '—';
  const n = typeof value === 'string' ? BigInt(value) : value;
  return new Intl.NumberFormat(locale).format(n);
}

export function formatNumber(
  value: number | null | undefined,
  locale = browserLocale(),
  maximumFractionDigits = 2,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
}

/** A fraction (0.125) as a percentage (12.5 %). */
export function formatPercent(value: number | null | undefined, locale = browserLocale()): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(
    value,
  );
}

export function formatDateTime(
  iso: string | null | undefined,
  locale = browserLocale(),
  timeZone?: string,
): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** A `YYYY-MM-DD` calendar day, without shifting it through a time zone. */
export function formatDay(day: string | null | undefined, locale = browserLocale()): string {
  if (!day) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}
