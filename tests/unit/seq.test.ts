import { describe, expect, it } from 'vitest';
import { compareSeq, isSeq, maxSeq, seqTimeMs } from '../../shared/seq.js';

describe('compareSeq', () => {
  it.each([
    ['1-0', '2-0', -1],
    ['2-0', '1-0', 1],
    ['5-5', '5-5', 0],
    ['9-0', '10-0', -1], // shorter ms is smaller, never string order
    ['1700000000000-0', '999999999999-99', 1],
    ['7-2', '7-10', -1], // equal ms: compare n as integers
    ['7-10', '7-2', 1],
    ['007-1', '7-1', 0], // leading zeros do not count
    ['7-0001', '7-1', 0],
    ['0-0', '000-000', 0],
    ['0010-0', '9-0', 1],
    ['18446744073709551615-0', '18446744073709551614-9', 1], // beyond 2^53: Number() would call these equal
    ['18446744073709551614-9', '18446744073709551615-0', -1],
    ['9007199254740993-0', '9007199254740992-0', 1],
    ['1-18446744073709551615', '1-18446744073709551614', 1],
  ])('compareSeq(%s, %s) = %i', (a, b, expected) => {
    expect(Math.sign(compareSeq(a, b))).toBe(expected);
    expect(Math.sign(compareSeq(b, a))).toBe(-expected || 0);
  });

  it('sorts a list of seqs by (ms, n)', () => {
    const list = ['10-0', '9-11', '9-2', '18446744073709551615-0', '0-1', '9-10'];
    expect([...list].sort(compareSeq)).toEqual(['0-1', '9-2', '9-10', '9-11', '10-0', '18446744073709551615-0']);
  });

  it.each(['', '1', '1-', '-1', 'a-1', '1-0-0', '1 -0', '1.5-0', '-1-0', '123456789012345678901-0'])('throws on malformed %j', (bad) => {
    expect(() => compareSeq(bad, '1-0')).toThrow(/malformed/);
    expect(() => compareSeq('1-0', bad)).toThrow(/malformed/);
  });
});

describe('isSeq', () => {
  it.each(['0-0', '1740816000000-0', '18446744073709551615-18446744073709551615', '007-01'])('accepts %s', (s) => {
    expect(isSeq(s)).toBe(true);
  });
  it.each(['', '1', '1-', 'x-1', '1-1\n', ' 1-1', '1_1', '2025-03-01T00:00:00Z', '123456789012345678901-0'])('rejects %j', (s) => {
    expect(isSeq(s)).toBe(false);
  });
});

describe('maxSeq', () => {
  it('takes the larger, null counting as smallest', () => {
    expect(maxSeq(null, null)).toBeNull();
    expect(maxSeq(null, '3-0')).toBe('3-0');
    expect(maxSeq('3-0', null)).toBe('3-0');
    expect(maxSeq('9-0', '10-0')).toBe('10-0');
    expect(maxSeq('10-0', '9-0')).toBe('10-0');
    expect(maxSeq('4-2', '4-10')).toBe('4-10');
    expect(maxSeq('18446744073709551614-9', '18446744073709551615-0')).toBe('18446744073709551615-0');
  });

  it('throws on a malformed seq', () => {
    expect(() => maxSeq('nope', '1-0')).toThrow();
  });
});

describe('seqTimeMs', () => {
  it('returns the millisecond part', () => {
    expect(seqTimeMs('1740816000000-7')).toBe(1740816000000);
    expect(() => seqTimeMs('soon')).toThrow(/malformed/);
  });
});
