import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import type { NamedTensor } from './safetensors';
import { generatePytorchScript } from './script';
import { teacherSafetensors } from './teacher-weights';
import { experimentOf, findPython, runPython } from './test-support';

const python = findPython();
const dir = mkdtempSync(join(tmpdir(), 'safetensors-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TENSORS: NamedTensor[] = [
  {
    name: 'dense1/kernel',
    dtype: 'F32',
    shape: [2, 3],
    data: Float32Array.of(1, -2.5, 3e-8, 0, -0, 1e30),
  },
  { name: 'dense1/bias', dtype: 'F32', shape: [3], data: Float32Array.of(0.1, 0.2, 0.3) },
  {
    name: 'codes',
    dtype: 'I32',
    shape: [2, 2],
    data: Int32Array.of(-2147483648, 7, 0, 2147483647),
  },
  { name: 'mask', dtype: 'U8', shape: [5], data: Uint8Array.of(0, 1, 255, 3, 4) },
  { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
];

/** An independent reader (standard library only): prints {name: [dtype, shape, values]}. */
const STDLIB_READER = `
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert (8 + n) % 8 == 0, "data must start 8-byte aligned"
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__", {})
fmt = {"F32": "f", "I32": "i", "U8": "B"}
out, end = {}, 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
    b, e = info["data_offsets"]
    assert b == end, "tensors must be contiguous"
    end = e
    count = e - b and (e - b) // struct.calcsize(fmt[info["dtype"]])
    out[name] = [info["dtype"], info["shape"], list(struct.unpack("<%d%s" % (count, fmt[info["dtype"]]), raw[8 + n + b:8 + n + e]))]
assert 8 + n + end == len(raw), "no bytes after the last tensor"
print(json.dumps({"tensors": out, "meta": meta}))
`;

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips every dtype, shape and metadata exactly', () => {
    const bytes = encodeSafetensors(TENSORS, { format: 'test', note: 'ü ✓' });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'test', note: 'ü ✓' });
    expect(tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(
      TENSORS.map((t) => [t.name, t.dtype, t.shape]),
    );
    tensors.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(TENSORS[i]!.data)));
    expect(Object.is(tensors[0]!.data[4], -0)).toBe(true);
  });

  it('lays the file out as the format says: u64 LE length, padded JSON, then the data', () => {
    const bytes = encodeSafetensors(TENSORS.slice(1, 2));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    expect(bytes.length).toBe(8 + n + 12);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      'dense1/bias': { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
    });
    expect(new DataView(bytes.buffer).getFloat32(8 + n + 4, true)).toBeCloseTo(0.2, 7);
  });

  it('refuses tensors whose data does not fit their shape, and duplicate names', () => {
    const bad: NamedTensor = { name: 'x', dtype: 'F32', shape: [2, 2], data: new Float32Array(3) };
    expect(() => encodeSafetensors([bad])).toThrow(/does not hold 3 values/);
    expect(() => encodeSafetensors([TENSORS[1]!, TENSORS[1]!])).toThrow(/twice/);
    const wrongType = { ...TENSORS[1]!, dtype: 'I32' as const };
    expect(() => encodeSafetensors([wrongType])).toThrow(/Int32Array/);
    const truncated = encodeSafetensors(TENSORS.slice(0, 1)).subarray(0, 30);
    expect(() => decodeSafetensors(truncated)).toThrow();
  });

  it('writes a teacher in the app layout with its kernels and biases', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, name: 'conv1' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ units: 3, name: 'logits' }),
      ],
    });
    const { tensors, metadata } = decodeSafetensors(teacherSafetensors(model));
    expect(metadata['layout']).toBe('tfjs');
    expect(tensors.map((t) => [t.name, t.shape])).toEqual([
      ['conv1/kernel', [3, 3, 1, 2]],
      ['conv1/bias', [2]],
      ['logits/kernel', [32, 3]],
      ['logits/bias', [3]],
    ]);
    const kernel = model.getLayer('conv1').getWeights()[0]!.dataSync();
    expect(Array.from(tensors[0]!.data)).toEqual(Array.from(kernel));
    model.dispose();
  });
});

describe.skipIf(python.python === null)('safetensors read by Python', () => {
  it('an independent standard-library reader sees the same tensors and metadata', () => {
    writeFileSync(join(dir, 'a.safetensors'), encodeSafetensors(TENSORS, { format: 'test' }));
    writeFileSync(join(dir, 'reader.py'), STDLIB_READER);
    const out = runPython(python.python!, ['reader.py', 'a.safetensors'], dir, 60_000);
    expect(out.stderr).toBe('');
    const parsed = JSON.parse(out.stdout) as {
      tensors: Record<string, [string, number[], number[]]>;
      meta: Record<string, string>;
    };
    expect(parsed.meta).toEqual({ format: 'test' });
    for (const t of TENSORS) {
      const [dtype, shape, values] = parsed.tensors[t.name]!;
      expect([dtype, shape]).toEqual([t.dtype, t.shape]);
      expect(values).toEqual(Array.from(t.data));
    }
  });

  it.skipIf(!python.torch)(
    'the script reads ours and writes files we read (both directions)',
    () => {
      const result = generatePytorchScript(experimentOf({ dataset: { id: 'moons' } }));
      if (!result.ok) throw new Error(result.reason);
      writeFileSync(join(dir, 'experiment.py'), result.script);
      writeFileSync(join(dir, 'a.safetensors'), encodeSafetensors(TENSORS, { format: 'test' }));
      const driver = [
        'import json, runpy',
        'g = runpy.run_path("experiment.py")',
        't, meta = g["read_safetensors"]("a.safetensors")',
        'print(json.dumps({"meta": meta, "t": {k: [str(v.dtype), list(v.shape), v.flatten().tolist()] for k, v in t.items()}}))',
        'g["write_safetensors"]("b.safetensors", t, {"from": "python"})',
      ].join('\n');
      const out = runPython(python.python!, ['-c', driver], dir, 120_000);
      expect(out.stderr).toBe('');
      const read = JSON.parse(out.stdout) as { t: Record<string, [string, number[], number[]]> };
      expect(read.t['codes']).toEqual(['torch.int32', [2, 2], [-2147483648, 7, 0, 2147483647]]);
      expect(read.t['mask']).toEqual(['torch.uint8', [5], [0, 1, 255, 3, 4]]);
      expect(read.t['empty']).toEqual(['torch.float32', [0, 4], []]);
      expect(read.t['dense1/kernel']![2]).toEqual(Array.from(TENSORS[0]!.data));
      const back = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'b.safetensors'))));
      expect(back.metadata).toEqual({ from: 'python' });
      back.tensors.forEach((t, i) => {
        expect([t.name, t.dtype, t.shape]).toEqual([
          TENSORS[i]!.name,
          TENSORS[i]!.dtype,
          TENSORS[i]!.shape,
        ]);
        expect(Array.from(t.data)).toEqual(Array.from(TENSORS[i]!.data));
      });
    },
  );
});
