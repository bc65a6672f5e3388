import type { Catalogue } from './en';

const ACCENTS: Record<string, string> = {
  a: 'á',
  b: 'ƀ',
  c: 'ç',
  d: 'ð',
  e: 'é',
  f: 'ƒ',
  g: 'ĝ',
  h: 'ĥ',
  i: 'í',
  j: 'ĵ',
  k: 'ķ',
  l: 'ĺ',
  m: 'ɱ',
  n: 'ñ',
  o: 'ó',
  p: 'þ',
  q: 'ǫ',
  r: 'ŕ',
  s: 'š',
  t: 'ţ',
  u: 'ú',
  v: 'ṽ',
  w: 'ŵ',
  x: 'ẋ',
  y: 'ý',
  z: 'ž',
  A: 'Á',
  B: 'Ɓ',
  C: 'Ç',
  D: 'Ð',
  E: 'É',
  F: 'Ƒ',
  G: 'Ĝ',
  H: 'Ĥ',
  I: 'Í',
  J: 'Ĵ',
  K: 'Ķ',
  L: 'Ĺ',
  M: 'Ṁ',
  N: 'Ñ',
  O: 'Ó',
  P: 'Þ',
  Q: 'Ǫ',
  R: 'Ŕ',
  S: 'Š',
  T: 'Ţ',
  U: 'Ú',
  V: 'Ṽ',
  W: 'Ŵ',
  X: 'Ẋ',
  Y: 'Ý',
  Z: 'Ž',
};

/**
 * Accents every letter outside `{placeholders}` and pads by about a third, in brackets, so a
 * string that skipped the catalogue (plain English) or a layout that cannot grow stands out.
 */
export function pseudoLocalise(text: string): string {
  let out = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '{') depth += 1;
    if (depth > 0) out += ch;
    else out += ACCENTS[ch] ?? ch;
    if (ch === '}') depth = Math.max(0, depth - 1);
  }
  const pad = '·'.repeat(Math.ceil(text.length / 3));
  return `[${out}${pad}]`;
}

export function pseudoCatalogue(source: Catalogue): Catalogue {
  const out = {} as Record<keyof Catalogue, string>;
  for (const key of Object.keys(source) as (keyof Catalogue)[]) {
    out[key] = pseudoLocalise(source[key]);
  }
  return out;
}
