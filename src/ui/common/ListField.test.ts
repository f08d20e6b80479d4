import { describe, expect, it } from 'vitest';
import { parseIntegerList } from './ListField';

describe('parseIntegerList', () => {
  it('reads comma or space separated whole numbers', () => {
    expect(parseIntegerList('32, 16')).toEqual([32, 16]);
    expect(parseIntegerList(' 8 4;2 ')).toEqual([8, 4, 2]);
    expect(parseIntegerList('')).toEqual([]);
  });

  it('refuses fractions and words', () => {
    expect(parseIntegerList('3.5')).toBeNull();
    expect(parseIntegerList('ten')).toBeNull();
  });
});
