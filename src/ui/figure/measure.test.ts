import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('measureText', () => {
  it('without a document estimates 0.6 em per character', async () => {
    const { measureText } = await import('./measure');
    expect(measureText('abcd', 10)).toBeCloseTo(24, 10);
  });

  it('measures on a canvas and replaces it after TEXTS_PER_CANVAS texts', async () => {
    const canvases: { measured: string[] }[] = [];
    vi.stubGlobal('document', {
      createElement: () => {
        const canvas = { measured: [] as string[] };
        canvases.push(canvas);
        return {
          getContext: () => ({
            font: '',
            measureText: (text: string) => {
              canvas.measured.push(text);
              return { width: 7 * text.length };
            },
          }),
        };
      },
    });
    const { TEXTS_PER_CANVAS, measureText, textsOnCurrentCanvas } = await import('./measure');
    expect(measureText('ab', 12)).toBe(14);
    for (let i = 1; i < TEXTS_PER_CANVAS; i++) measureText(`label ${i}`);
    expect(canvases).toHaveLength(1);
    expect(textsOnCurrentCanvas()).toBe(TEXTS_PER_CANVAS);
    // The next text goes to a fresh canvas: the old one, and its shaping cache, can be freed.
    expect(measureText('next')).toBe(28);
    expect(canvases).toHaveLength(2);
    expect(canvases[1]!.measured).toEqual(['next']);
    expect(textsOnCurrentCanvas()).toBe(1);
  });
});
