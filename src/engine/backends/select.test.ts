import { describe, expect, it } from 'vitest';
import { coresToReport } from './select';

describe('coresToReport', () => {
  it('doubles the wanted threads where tfjs would cap them (2 threads on 2 cores → report 4)', () => {
    expect(coresToReport(2, 2)).toBe(4);
    expect(coresToReport(3, 4)).toBe(6);
  });

  it('reports the real count when it already allows the threads', () => {
    expect(coresToReport(1, 2)).toBe(2);
    expect(coresToReport(2, 8)).toBe(8);
  });
});
