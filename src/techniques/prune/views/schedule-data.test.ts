import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pruneParams } from '../spec';
import type { PruneParams } from '../spec';
import type { VariantRunState } from '../../../store/store';
import type { DatasetInfo } from '../../../worker/protocol';
import {
  pruneStepsPerEpoch,
  scheduleChartData,
  scheduleMarker,
  scheduleSummary,
} from './schedule-data';

const params = (overrides: Partial<PruneParams>): PruneParams =>
  pruneParams.parse({ sparsity: 0.5, finetuneEpochs: 2, ...overrides });

const run = (overrides: Partial<VariantRunState>): VariantRunState => ({
  status: 'running',
  stageIndex: 1,
  reused: [],
  fraction: 0,
  message: '',
  error: null,
  stageStep: null,
  ...overrides,
});

describe('steps per epoch of the prune stage', () => {
  const spec = { id: 'moons' as const, trainSize: 400, testSize: 200, noise: 0.3 };
  it('uses the loaded data of the same dataset, else the experiment’s train size', () => {
    expect(pruneStepsPerEpoch(spec, null)).toBe(12); // ⌈(400 − 40 held out) / 32⌉
    const info = { id: 'moons', trainCount: 390, inputShape: [2] } as DatasetInfo;
    expect(pruneStepsPerEpoch(spec, info)).toBe(13);
    expect(pruneStepsPerEpoch(spec, { ...info, trainCount: 384 })).toBe(12);
    expect(pruneStepsPerEpoch(spec, { ...info, id: 'mnist', trainCount: 9 })).toBe(12);
    const mnist = { ...spec, id: 'mnist' as const, trainSize: 1000 };
    expect(pruneStepsPerEpoch(mnist, null)).toBe(8); // ⌈(1000 − 100) / 128⌉
  });
});

describe('scheduleChartData', () => {
  it('gradual: the cubic ramp 100·s_f(1 − (1 − t/T)³) and a staircase of mask updates', () => {
    // R = 13·2 = 26 steps, T = round(19.5) = 20, a mask every step.
    const data = scheduleChartData(params({ schedule: 'gradual' }), 13, 40);
    expect(data.xMax).toBe(26);
    expect(data.xTicks).toEqual([0, 20, 26]);
    expect(data.target).toHaveLength(42);
    for (const p of data.target.slice(0, 41)) {
      expect(p.percent).toBeCloseTo(50 * (1 - (1 - p.step / 20) ** 3), 10);
    }
    expect(data.target[20]).toEqual({ step: 10, percent: 43.75 }); // 50·(1 − 0.5³)
    expect(data.target.at(-1)).toEqual({ step: 26, percent: 50 });
    expect(data.masks.map((p) => p.step)).toEqual([...Array(21).keys(), 26]);
    data.masks.slice(0, 21).forEach((p) => {
      expect(p.percent).toBeCloseTo(50 * (1 - (1 - p.step / 20) ** 3), 10);
    });
  });

  it('iterative: a step line with plateaus 100·(1 − (1 − s_f)^(k/K))', () => {
    const data = scheduleChartData(
      params({ schedule: 'iterative', rounds: 3, sparsity: 0.875 }),
      5,
    );
    expect(data.masks).toEqual([]);
    expect(data.xTicks).toEqual([0, 10, 20, 30]);
    expect(data.target.map((p) => p.step)).toEqual([0, 10, 20, 30]);
    const percents = data.target.map((p) => Number(p.percent.toFixed(9)));
    expect(percents).toEqual([50, 75, 87.5, 87.5]);
  });

  it('one-shot and an empty stage still draw', () => {
    expect(scheduleChartData(params({}), 13).target).toEqual([
      { step: 0, percent: 50 },
      { step: 26, percent: 50 },
    ]);
    const empty = scheduleChartData(params({ finetuneEpochs: 0 }), 13);
    expect(empty.xMax).toBe(1);
    expect(empty.xTicks).toEqual([0, 1]);
    expect(empty.target).toEqual([{ step: 0, percent: 50 }]);
  });
});

describe('scheduleMarker', () => {
  const plan = scheduleChartData(params({ schedule: 'iterative', rounds: 2 }), 5).plan; // 20 steps
  it('is absent until the stage runs', () => {
    expect(scheduleMarker(plan, undefined, 1)).toBeNull();
    expect(scheduleMarker(plan, run({ status: 'queued', stageIndex: 0 }), 1)).toBeNull();
    expect(scheduleMarker(plan, run({ stageIndex: 0 }), 1)).toBeNull();
  });

  it('sits after the last completed step, on the mask in force', () => {
    const first = scheduleMarker(plan, run({ stageStep: { step: 4, totalSteps: 20 } }), 1);
    expect(first).toMatchObject({ step: 5, done: false });
    expect(first!.percent).toBeCloseTo(100 * (1 - Math.sqrt(0.5)), 9);
    expect(scheduleMarker(plan, run({ stageStep: { step: 12, totalSteps: 20 } }), 1)).toEqual({
      step: 13,
      percent: 50,
      done: false,
    });
    expect(scheduleMarker(plan, run({}), 1)).toMatchObject({ step: 0, done: false });
  });

  it('is clamped into 0..totalSteps', () => {
    const far = run({ stageStep: { step: 99, totalSteps: 100 } });
    expect(scheduleMarker(plan, far, 1)).toMatchObject({ step: 20, percent: 50 });
    const before = run({ stageStep: { step: -5, totalSteps: 20 } });
    expect(scheduleMarker(plan, before, 1)?.step).toBe(0);
  });

  it('goes to the end once the stage is done or reused', () => {
    const end = { step: 20, percent: 50, done: true };
    expect(scheduleMarker(plan, run({ stageIndex: 2 }), 1)).toEqual(end);
    expect(scheduleMarker(plan, run({ status: 'done' }), 1)).toEqual(end);
    expect(scheduleMarker(plan, run({ status: 'measuring', stageIndex: 1 }), 1)).toEqual(end);
    expect(scheduleMarker(plan, run({ reused: [0, 1] }), 1)).toEqual(end);
  });
});

describe('scheduleSummary', () => {
  it('reads the plan and the marker in words', () => {
    const gradual = scheduleChartData(params({ schedule: 'gradual' }), 13);
    expect(scheduleSummary(gradual, null)).toBe(
      '0 → 50% over steps 0–20 in 21 mask updates, then 6 steps at 50%.',
    );
    const iterative = scheduleChartData(params({ schedule: 'iterative', rounds: 2 }), 5);
    const marker = { step: 13, percent: 50, done: false };
    expect(scheduleSummary(iterative, marker)).toBe(
      '2 rounds of 10 steps: 29% → 50%; now at step 13 of 20 (50%).',
    );
  });
});

describe('the chart stays free of tfjs', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  /** Bare packages reached through value imports (type-only imports are erased). */
  function packagesReached(entry: string, seen = new Set<string>()): Set<string> {
    const found = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      const imports = /^(?:import|export)\s+(type\s+)?(?:[^'";]*?from\s+)?'([^']+)'/gm;
      for (const m of source.matchAll(imports)) {
        if (m[1]) continue;
        const target = m[2]!;
        if (!target.startsWith('.')) {
          found.add(target);
          continue;
        }
        const base = resolve(dirname(file), target);
        const candidates = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`];
        const next = candidates.find((c) => {
          try {
            readFileSync(c);
            return true;
          } catch {
            return false;
          }
        });
        if (next) visit(next);
      }
    };
    visit(entry);
    return found;
  }

  it('reaches no @tensorflow package from ScheduleChart.tsx', () => {
    const packages = [...packagesReached(resolve(here, 'ScheduleChart.tsx'))];
    expect(packages).toContain('recharts'); // the walk does see bare imports
    expect(packages.filter((p) => p.startsWith('@tensorflow'))).toEqual([]);
  });

  it('would notice one: the magnitude stage reaches tfjs', () => {
    const engine = resolve(here, '../stage/magnitude-stage.ts');
    expect([...packagesReached(engine)]).toContain('@tensorflow/tfjs');
  });
});
