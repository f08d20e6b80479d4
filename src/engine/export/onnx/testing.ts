/**
 * Test support for the ONNX tests (Node only): small MNIST splits from public/data, running an
 * exported file in onnxruntime-node on a split, the op types of the graph onnxruntime optimized,
 * and top-1 agreement between two sets of logits.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Dataset } from './test-support';
import { PREPARE_DATA_HINT, parseDatasetFile, takeSubset } from './test-support';
import { nhwcToNchw, onnxInputShape } from './layout';
import { inspectOnnx } from './inspect';

function readSplit(split: 'train' | 'test') {
  const path = join(process.cwd(), 'public', 'data', `mnist-${split}.bin`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(`${path} is missing. ${PREPARE_DATA_HINT}`);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return parseDatasetFile(buffer as ArrayBuffer, { rows: 28, cols: 28, numClasses: 10 }, path);
}

/** The first `train` / `test` MNIST examples of each split (28×28×1, pixels / 255). */
export function smallMnist(train: number, test: number): Dataset {
  return {
    id: 'mnist',
    inputShape: [28, 28, 1],
    numClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    train: takeSubset(readSplit('train'), train),
    validation: { x: new Float32Array(0), y: new Uint8Array(0), count: 0 },
    test: takeSubset(readSplit('test'), test),
  };
}

export interface OrtRun {
  /** Logits [count, classes], row-major. */
  logits: Float32Array;
  /** Op types of the graph after onnxruntime's optimizer (domain-qualified unless ONNX). */
  optimizedOps: string[];
}

/**
 * Loads ONNX bytes in onnxruntime-node (graph optimization 'extended': the level where the QDQ
 * fusions run, without hardware-specific layout changes), saves the optimized graph and runs the
 * test split through the model's 'input' → 'logits'.
 */
export async function runInOrt(bytes: Uint8Array, data: Dataset): Promise<OrtRun> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-export-'));
  const optimizedModelFilePath = join(dir, 'optimized.onnx');
  try {
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'extended',
      optimizedModelFilePath,
    });
    const { count, x } = data.test;
    const spatial = data.inputShape.length === 3;
    const dims = onnxInputShape(data.inputShape).map((d) => (typeof d === 'string' ? count : d));
    const input = spatial ? nhwcToNchw(x, count, data.inputShape) : x;
    const out = await session.run({ input: new ort.Tensor('float32', input, dims) });
    const logits = out.logits;
    if (!logits) throw new Error('The session has no logits output.');
    await session.release();
    const optimized = inspectOnnx(readFileSync(optimizedModelFilePath));
    const optimizedOps = optimized.nodes.map((n) =>
      n.domain ? `${n.domain}.${n.opType}` : n.opType,
    );
    return { logits: logits.data as Float32Array, optimizedOps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Index of the largest logit of each row. */
export function top1(logits: ArrayLike<number>, classes: number): Int32Array {
  const rows = logits.length / classes;
  return Int32Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
    }
    return best;
  });
}

/** Fraction of rows (0..1) whose top-1 class is the same in both sets of logits. */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>, classes: number): number {
  if (a.length !== b.length) throw new RangeError(`${a.length} logits vs ${b.length}.`);
  const pa = top1(a, classes);
  const pb = top1(b, classes);
  return pa.filter((p, i) => p === pb[i]).length / pa.length;
}

/** Largest |a − b| over the logits, and the largest |b| (the scale to judge it by). */
export function maxDiff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { diff, scale };
}
