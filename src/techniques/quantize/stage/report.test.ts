import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../engine/network/build';
import { handleFromModel } from '../../../engine/network/handle';
import type { NamedLayer } from '../../../engine/network/layers';
import { quantizationReport } from './report';
import { runPtq } from './ptq';
import { ptqParamsWith } from './test-fixtures';
import { MLP, blobs, testContext, trainedTeacher } from '../../../engine/network/test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dense: NamedLayer = {
  kind: 'dense',
  name: 'dense1',
  kernel: Float32Array.from([0.3, -0.6, 0.9, 0.05]), // [2, 2]
  kernelShape: [2, 2],
  bias: new Float32Array(2),
  activation: 'relu',
};

describe('quantizationReport', () => {
  it('2-bit per-tensor: grid {−0.9, 0, 0.9}, SQNR and histograms by hand', async () => {
    const [report] = await quantizationReport([dense, { kind: 'flatten', name: 'f' }], {
      weightBits: 2,
      scheme: 'symmetric',
      granularity: 'per-tensor',
    });
    expect(report!.name).toBe('dense1');
    expect(report!.levels!.map((v) => Number(v.toFixed(6)))).toEqual([-0.9, 0, 0.9]);
    expect(report!.clipMin).toBeCloseTo(-0.9, 6);
    expect(report!.clipMax).toBeCloseTo(0.9, 6);
    // ŵ = [0, −0.9, 0.9, 0]: noise = 0.09 + 0.09 + 0 + 0.0025; signal = 0.09 + 0.36 + 0.81 + 0.0025
    expect(report!.sqnrDb).toBeCloseTo(10 * Math.log10(1.2625 / 0.1825), 4);
    const { edges, counts, quantizedCounts } = report!.histogram;
    expect(edges).toHaveLength(65);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(quantizedCounts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(quantizedCounts.filter((c) => c > 0)).toHaveLength(3); // three distinct levels used
  });

  it('2-bit asymmetric per-tensor: zero point 1, grid {−0.5, 0, 0.5, 1} by hand', async () => {
    const [report] = await quantizationReport([dense], {
      weightBits: 2,
      scheme: 'asymmetric',
      granularity: 'per-tensor',
    });
    // range [−0.6, 0.9]: s = 1.5 / 3 = 0.5, z = round(0.6 / 0.5) = 1, levels (q − 1)·0.5, q = 0…3
    expect(report!.scales[0]).toBeCloseTo(0.5, 6);
    expect(report!.zeroPoints).toEqual([1]);
    expect(report!.levels!.map((v) => Number(v.toFixed(6)))).toEqual([-0.5, 0, 0.5, 1]);
    expect(report!.clipMin).toBeCloseTo(-0.5, 6);
    expect(report!.clipMax).toBeCloseTo(1, 6);
    // ŵ = [0.5, −0.5, 1, 0] (−0.6 rounds to the lowest level): noise 0.04 + 0.01 + 0.01 + 0.0025
    expect(report!.sqnrDb).toBeCloseTo(10 * Math.log10(1.2625 / 0.0625), 4);
  });

  it('per-channel lists one scale per output channel and the widest channel grid', async () => {
    const [report] = await quantizationReport(
      [dense],
      { weightBits: 3, scheme: 'symmetric', granularity: 'per-channel' },
      8,
    );
    // channel 0 = {0.3, 0.9} → s = 0.3; channel 1 = {−0.6, 0.05} → s = 0.2
    expect(report!.scales.map((s) => Number(s.toFixed(6)))).toEqual([0.3, 0.2]);
    expect(report!.levels).toHaveLength(7);
    expect(report!.levels![6]).toBeCloseTo(0.9, 6);
    expect(report!.histogram.counts).toHaveLength(8);
  });

  it('power-of-two levels are 0 and ±2^k; 16-bit grids are not listed', async () => {
    const [pow2] = await quantizationReport([dense], {
      weightBits: 3,
      scheme: 'symmetric',
      granularity: 'per-tensor',
      powerOfTwo: true,
    });
    // kmax = round(log2 0.9) = 0, window 2^(3−1) − 1 = 3 exponents: 2^−2 … 2^0; with zero that
    // is 7 levels, which fit 3 bits (the old window listed 9)
    expect(pow2!.levels).toEqual([-1, -0.5, -0.25, 0, 0.25, 0.5, 1]);
    const [wide] = await quantizationReport([dense], {
      weightBits: 16,
      scheme: 'asymmetric',
      granularity: 'per-tensor',
    });
    expect(wide!.levels).toBeNull();
    expect(wide!.sqnrDb).toBeGreaterThan(80);
  });

  it('reads a handle: one entry per dense / conv layer, plain data only', async () => {
    const spec = { kind: 'mlp' as const, hidden: [4], activation: 'relu' as const };
    const model = buildModel(spec, [2], 3, 1);
    const handle = handleFromModel(model, spec, [2], 3, 'teacher');
    const report = await quantizationReport(handle, {
      weightBits: 8,
      scheme: 'symmetric',
      granularity: 'per-channel',
    });
    expect(report.map((r) => r.name)).toEqual(['dense1', 'logits']);
    expect(JSON.parse(JSON.stringify(report[0]!.histogram))).toEqual(report[0]!.histogram);
    expect(report[0]!.sqnrDb).toBeGreaterThan(30);
    model.dispose();
    await expect(
      quantizationReport(
        [dense],
        { weightBits: 8, scheme: 'symmetric', granularity: 'per-tensor' },
        0,
      ),
    ).rejects.toThrow(RangeError);
  });
});

describe('quantizationReport of a PTQ variant', () => {
  it('compares ŵ with the float weights it came from: finite SQNR, histograms that differ', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const params = ptqParamsWith({ mode: 'dynamic', weightBits: 4 });
    const ptq = await runPtq(testContext(data, teacher.model), teacher, params);
    const quantizer = { weightBits: 4, scheme: 'symmetric', granularity: 'per-channel' } as const;
    const reports = await quantizationReport(ptq, quantizer);
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) {
      // Re-quantizing ŵ would be exact (∞ dB) with identical before/after histograms.
      expect(Number.isFinite(r.sqnrDb)).toBe(true);
      expect(r.histogram.counts).not.toEqual(r.histogram.quantizedCounts);
    }
    // The same as reporting the teacher's own weights under the stage's quantizer.
    expect(reports.map((r) => r.sqnrDb)).toEqual(
      (await quantizationReport(teacher, quantizer)).map((r) => r.sqnrDb),
    );
    ptq.model.dispose();
    teacher.model.dispose();
  });
});
