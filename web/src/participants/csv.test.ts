import { describe, expect, it } from 'vitest';
import { toCsv } from './csv';

describe('error file', () => {
  it('quotes what needs quoting', () => {
    expect(
      toCsv(
        ['line', 'message'],
        [
          [2, 'bad "email", try again'],
          [3, null],
        ],
      ),
    ).toBe('line,message\r\n2,"bad ""email"", try again"\r\n3,\r\n');
  });
});
