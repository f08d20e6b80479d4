import { holdOutValidation } from './validation';
import type { DatasetSpec } from '../../experiment/schema';
import { SYNTHETIC_DATASETS, numClassesOf } from '../../experiment/schema';
import type { Rng } from '../rng';
import { createRng, gaussian, shuffledIndices } from '../rng';
import type { DataSplit, Dataset } from './types';

export type SyntheticId = (typeof SYNTHETIC_DATASETS)[number];

/**
 * Feature-space standard deviation of the noise at `noise = 1`, per set: about the gap between
 * neighbouring classes, so noise 0.1 is easy and noise 1 makes the classes overlap badly.
 */
export const NOISE_SCALE: Readonly<Record<SyntheticId, number>> = {
  spiral: 0.2,
  moons: 0.3,
  circles: 0.3,
  xor: 0.3,
  gaussians: 0.4,
};

/** Turns each spiral arm makes from the centre to radius 1. */
const SPIRAL_TURNS = 1;
/** Spread of each gaussian blob before any noise, so noise 0 still gives blobs, not 3 points. */
const BLOB_STD = 0.15;
/** Inner circle radius (outer is 1). */
const INNER_RADIUS = 0.5;

/** True when the id names one of the 2-D sets generated in code. */
export function isSyntheticId(id: string): id is SyntheticId {
  return (SYNTHETIC_DATASETS as readonly string[]).includes(id);
}

/** One noise-free point [x, y] of class `label`, with features within about [−1, 1]. */
function cleanPoint(id: SyntheticId, label: number, rng: Rng): [number, number] {
  switch (id) {
    case 'spiral': {
      // Arm k starts at angle 2πk/3; radius grows linearly with the angle travelled.
      const t = rng();
      const r = 0.1 + 0.9 * t;
      const angle = (2 * Math.PI * label) / 3 + 2 * Math.PI * SPIRAL_TURNS * t;
      return [r * Math.cos(angle), r * Math.sin(angle)];
    }
    case 'moons': {
      // Two interleaved half circles (x ∈ [−1, 2], y ∈ [−0.5, 1]) centred and scaled by 1/1.5.
      const a = Math.PI * rng();
      const [px, py] =
        label === 0 ? [Math.cos(a), Math.sin(a)] : [1 - Math.cos(a), 0.5 - Math.sin(a)];
      return [(px - 0.5) / 1.5, (py - 0.25) / 1.5];
    }
    case 'circles': {
      const a = 2 * Math.PI * rng();
      const r = label === 0 ? 1 : INNER_RADIUS;
      return [r * Math.cos(a), r * Math.sin(a)];
    }
    case 'xor': {
      // Class 0 in quadrants I and III (x·y > 0), class 1 in II and IV; kept 0.05 off the axes.
      const u = 0.05 + 0.95 * rng();
      const v = 0.05 + 0.95 * rng();
      const sx = rng() < 0.5 ? -1 : 1;
      const sy = label === 0 ? sx : -sx;
      return [sx * u, sy * v];
    }
    case 'gaussians': {
      // Centres on a circle of radius 0.6 at 90°, 210°, 330°.
      const angle = Math.PI / 2 + (2 * Math.PI * label) / 3;
      return [
        0.6 * Math.cos(angle) + BLOB_STD * gaussian(rng),
        0.6 * Math.sin(angle) + BLOB_STD * gaussian(rng),
      ];
    }
  }
}

/**
 * `count` labelled 2-D points: example i has class i mod numClasses (so class counts differ by
 * at most 1), each coordinate gets Gaussian noise of std noise·NOISE_SCALE[id] (feature units),
 * then the examples are shuffled with `rng`. x is row-major [count × 2].
 */
export function generate(id: SyntheticId, count: number, noise: number, rng: Rng): DataSplit {
  const numClasses = numClassesOf(id);
  const std = noise * NOISE_SCALE[id];
  const points = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % numClasses;
    const [px, py] = cleanPoint(id, label, rng);
    points[2 * i] = px + (std > 0 ? std * gaussian(rng) : 0);
    points[2 * i + 1] = py + (std > 0 ? std * gaussian(rng) : 0);
    labels[i] = label;
  }
  const order = shuffledIndices(count, rng);
  const x = new Float32Array(count * 2);
  const y = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    x[2 * k] = points[2 * i]!;
    x[2 * k + 1] = points[2 * i + 1]!;
    y[k] = labels[i]!;
  }
  return { x, y, count };
}

/** Seed of the test stream: seed XOR 0x9E3779B9 (golden ratio), so it never equals the train seed. */
export function testSeedOf(seed: number): number {
  return (seed ^ 0x9e3779b9) >>> 0;
}

/**
 * A synthetic dataset from the spec: train from createRng(seed), test from
 * createRng(seed ⊕ 0x9E3779B9), so changing one split's size never changes the other split.
 */
export function makeSyntheticDataset(spec: DatasetSpec, seed: number): Dataset {
  const { id } = spec;
  if (!isSyntheticId(id)) throw new Error(`'${id}' is an image dataset, not a synthetic one`);
  const numClasses = numClassesOf(id);
  return {
    id,
    inputShape: [2],
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => `class ${c}`),
    ...holdOutValidation(generate(id, spec.trainSize, spec.noise, createRng(seed)), [2], seed),
    test: generate(id, spec.testSize, spec.noise, createRng(testSeedOf(seed))),
  };
}
