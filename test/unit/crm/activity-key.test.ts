import { describe, expect, it } from 'vitest';
import { activityRef, refLine, refsIn, refsOfKeys } from '../../../server/crm/activity-key.ts';

describe('activity keys as they travel with CRM tasks and notes', () => {
  it.each([
    ['bw-0f3a9c2e71b4d8e6a5c90b12', 'bw0f3a9c2e71b4d8e6a5c90b12'],
    ['BW-550E8400-E29B-41D4', 'bw550e8400e29b41d4'],
    ['bw_qbr_2026q3_v1', 'bwqbr2026q3v1'],
    ['a'.repeat(80), 'a'.repeat(80)],
  ])('%s → ref %s', (key, ref) => {
    expect(activityRef(key)).toBe(ref);
  });

  it.each([
    ['', 'letters and digits'],
    ['bw key', 'letters and digits'],
    ['bw--double', 'letters and digits'],
    ['-bw12345678', 'letters and digits'],
    ['bw-1234567<', 'letters and digits'],
    ['a'.repeat(81), 'at most 80'],
    ['bw-1234', 'at least 8'],
  ])('refuses %j (%s)', (key, words) => {
    expect(() => activityRef(key)).toThrow(expect.objectContaining({ code: 'VALIDATION' }) as Error);
    expect(() => activityRef(key)).toThrow(words);
  });

  it('finds refs in plain text and HTML bodies, and nothing in an empty one', () => {
    expect(refsIn(`Call the champion.\n\n${refLine('bw12345678')}`)).toEqual(['bw12345678']);
    expect(refsIn('<p>Body</p><p>Bellwether ref: bwabcdef12</p><p>Warning resolved</p>')).toEqual(['bwabcdef12']);
    expect(refsIn('Bellwether reference bwabcdef12')).toEqual([]);
    expect(refsIn(null)).toEqual([]);
  });

  it('maps refs back to the keys asked for, refusing two keys that are one', () => {
    expect(refsOfKeys(['bw-aaaa-1111', 'bw-bbbb-2222', 'bw-aaaa-1111'])).toEqual(
      new Map([
        ['bwaaaa1111', 'bw-aaaa-1111'],
        ['bwbbbb2222', 'bw-bbbb-2222'],
      ]),
    );
    expect(() => refsOfKeys(['bw-aaaa-1111', 'BW-AAAA1111'])).toThrow('are the same key');
  });
});
