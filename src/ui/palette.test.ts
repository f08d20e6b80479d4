import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { colourOf, cssVariables, PALETTE, rgbOf, withAlpha } from './palette';

/** `--name: value;` declarations of the first :root block of a stylesheet. */
function rootVariables(css: string): Record<string, string> {
  const block = /:root\s*{([^}]*)}/.exec(css)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/(--[a-z0-9-]+):\s*([^;]+);/g)) out[m[1]!] = m[2]!.trim();
  return out;
}

describe('palette', () => {
  it('cycles the data colours', () => {
    expect(colourOf(0)).toBe(PALETTE[0]);
    expect(colourOf(PALETTE.length + 2)).toBe(PALETTE[2]);
    expect(colourOf(-1)).toBe(PALETTE[PALETTE.length - 1]);
  });

  it('is what base.css declares: every colour variable, with the same value', () => {
    const declared = rootVariables(readFileSync(new URL('./base.css', import.meta.url), 'utf8'));
    for (const [name, value] of Object.entries(cssVariables())) {
      expect(declared[name], name).toBe(value);
    }
  });

  it('writes colours with an alpha', () => {
    expect(rgbOf('#0072B2')).toEqual([0, 114, 178]);
    expect(withAlpha('#D55E00', '0.425')).toBe('rgba(213, 94, 0, 0.425)');
    expect(() => rgbOf('red')).toThrow(/#rrggbb/);
  });
});
