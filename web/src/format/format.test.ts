import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  decimalToMinor,
  formatCount,
  formatDay,
  formatMoney,
  formatPercent,
  minorToDecimal,
} from './index';

describe('money', () => {
  it('knows minor units per currency', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('turns minor units into an exact decimal', () => {
    expect(minorToDecimal('12345', 2)).toBe('123.45');
    expect(minorToDecimal('-5', 2)).toBe('-0.05');
    expect(minorToDecimal('0', 2)).toBe('0.00');
    expect(minorToDecimal('500', 0)).toBe('500');
    expect(minorToDecimal('9223372036854775807', 2)).toBe('92233720368547758.07');
  });

  it('formats beyond 2^53 without losing cents', () => {
    expect(formatMoney({ amountMinor: '9007199254740993', currency: 'USD' }, 'en-US')).toBe(
      '$90,071,992,547,409.93',
    );
  });

  it('formats for the locale', () => {
    expect(formatMoney({ amountMinor: '123456', currency: 'EUR' }, 'de-DE')).toBe(
      '1.234,56\u00a0€',
    );
    expect(formatMoney({ amountMinor: '1200', currency: 'JPY' }, 'en-US')).toBe('¥1,200');
    expect(formatMoney(null)).toBe('—');
  });

  it('parses what people type into minor units', () => {
    expect(decimalToMinor('12.5', 'EUR')).toBe('1250');
    expect(decimalToMinor('12,50', 'EUR')).toBe('1250');
    expect(decimalToMinor(' 1 200 ', 'USD')).toBe('120000');
    expect(decimalToMinor('1200', 'JPY')).toBe('1200');
    expect(decimalToMinor('12.345', 'EUR')).toBeNull();
    expect(decimalToMinor('abc', 'EUR')).toBeNull();
    expect(decimalToMinor('', 'EUR')).toBeNull();
    expect(decimalToMinor('-3', 'EUR')).toBe('-300');
  });
});

describe('numbers and dates', () => {
  it('formats big counts from BigInt strings', () => {
    expect(formatCount('12345678901234567', 'en-US')).toBe('12,345,678,901,234,567');
    expect(formatCount(null)).toBe('—');
  });

  it('formats fractions as percentages', () => {
    expect(formatPercent(0.125, 'en-US')).toBe('12.5%');
    expect(formatPercent(null)).toBe('—');
  });

  it('keeps calendar days on their day', () => {
    expect(formatDay('2026-03-01', 'en-US')).toBe('Mar 1, 2026');
  });
});
