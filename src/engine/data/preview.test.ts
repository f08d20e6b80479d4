import { describe, expect, it } from 'vitest';
import { previewSamples } from './preview';
import { makeSyntheticDataset } from './synthetic';
import type { Dataset } from './types';

function tinyImages(): Dataset {
  const size = 4;
  const x = new Float32Array(3 * size);
  x.set([0, 0.5, 1, 1.2], 0);
  x.set([0.1, 0.2, 0.3, -0.1], size);
  x.set([1, 1, 1, 1], 2 * size);
  return {
    id: 'mnist',
    inputShape: [2, 2, 1],
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: { x: new Float32Array(size), y: new Uint8Array([9]), count: 1 },
    validation: { x: new Float32Array(0), y: new Uint8Array(0), count: 0 },
    test: { x, y: new Uint8Array([4, 7, 1]), count: 3 },
  };
}

describe('previewSamples', () => {
  it('turns the first test images back into grey levels 0..255, clamped', () => {
    const preview = previewSamples(tinyImages(), 2);
    if (preview.kind !== 'images') throw new Error('expected images');
    expect(preview.rows).toBe(2);
    expect(preview.cols).toBe(2);
    expect(preview.classNames[4]).toBe('4');
    expect(preview.labels).toEqual([4, 7]);
    expect(preview.images).toHaveLength(2);
    expect(preview.images[0]).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(preview.images[0]!)).toEqual([0, 128, 255, 255]);
    expect(Array.from(preview.images[1]!)).toEqual([26, 51, 77, 0]);
  });

  it('returns at most the examples there are', () => {
    const preview = previewSamples(tinyImages(), 50);
    expect(preview.kind === 'images' && preview.images.length).toBe(3);
  });

  it('can preview the training split', () => {
    const preview = previewSamples(tinyImages(), 5, 'train');
    expect(preview.kind === 'images' && preview.labels).toEqual([9]);
  });

  it('gives 2-D points with their labels for synthetic sets', () => {
    const d = makeSyntheticDataset({ id: 'moons', trainSize: 20, testSize: 10, noise: 0.1 }, 1);
    const preview = previewSamples(d, 4);
    if (preview.kind !== 'points') throw new Error('expected points');
    expect(preview.points).toHaveLength(4);
    expect(preview.points[2]).toEqual({ x: d.test.x[4], y: d.test.x[5], label: d.test.y[2] });
    expect(preview.classNames).toEqual(['class 0', 'class 1']);
  });

  it('refuses colour images', () => {
    const d = { ...tinyImages(), inputShape: [2, 1, 2] };
    expect(() => previewSamples(d, 1)).toThrow(/grey images, not 2×1×2/);
  });

  it('is plain data that survives structured cloning', () => {
    const preview = previewSamples(tinyImages(), 3);
    expect(structuredClone(preview)).toEqual(preview);
  });
});
