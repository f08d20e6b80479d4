import { describe, expect, it } from 'vitest';
import { throttleDelay } from './throttle';

describe('throttleDelay', () => {
  it('shows the first value at once and later ones one interval after the last shown', () => {
    expect(throttleDelay(-Infinity, 1_000, 500)).toBe(0);
    expect(throttleDelay(1_000, 1_100, 500)).toBe(400);
    expect(throttleDelay(1_000, 1_499, 500)).toBe(1);
    expect(throttleDelay(1_000, 2_000, 500)).toBe(0);
  });
});
