import { describe, expect, it } from 'vitest';
import { en } from './en';
import { pseudoCatalogue, pseudoLocalise } from './pseudo';
import { interpolate } from './index';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
  const pseudo = pseudoCatalogue(en);

  it('has every key in both locales', () => {
    expect(Object.keys(pseudo).sort()).toEqual(Object.keys(en).sort());
    for (const [key, value] of Object.entries(pseudo)) {
      expect(value, key).toBeTruthy();
    }
  });

  it('keeps placeholders and changes every visible letter', () => {
    for (const [key, value] of Object.entries(en)) {
      const translated = pseudo[key as keyof typeof en];
      expect(placeholders(translated), key).toEqual(placeholders(value));
      expect(translated, key).not.toBe(value);
    }
    expect(pseudoLocalise('Sign in {name}')).toBe('[Šíĝñ íñ {name}·····]');
  });

  it('has no empty message', () => {
    for (const [key, value] of Object.entries(en)) expect(value.trim(), key).not.toBe('');
  });

  it('fills placeholders', () => {
    expect(interpolate('Page {number} of {n}', { number: 2 })).toBe('Page 2 of {n}');
  });
});
