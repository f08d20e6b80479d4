import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Stage } from './deps';
import { generatePytorchScript, pythonTripleQuoted, pytorchExportReason } from './script';
import { experimentOf, findPython, runPython } from './test-support';

const python = findPython().python;
const NO_PYTHON = python === null;
if (NO_PYTHON) console.warn('skipping py_compile checks: no python3 found (set $PYTHON)');

const dir = mkdtempSync(join(tmpdir(), 'pytorch-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The document embedded in a script: EXPERIMENT = json.loads('''…''') undone. */
function embedded(script: string): {
  experiment: { variants: { id: string }[] };
  variants: { id: string }[];
} {
  const match = /^EXPERIMENT = json\.loads\('''([\s\S]*?)'''\)$/m.exec(script);
  if (!match) throw new Error('no EXPERIMENT block');
  return JSON.parse(match[1]!.replace(/\\(.)/g, '$1'));
}

/** A one-variant experiment on moons whose variant runs `stages`. */
function withStages(stages: unknown[], extra: Record<string, unknown> = {}) {
  return experimentOf({
    name: 'Stage check',
    // One technique's sections at a time: an fp32 control would bring finetune along.
    controls: false,
    dataset: { id: 'moons', trainSize: 100, testSize: 50 },
    variants: [{ id: 'v', name: 'Variant', stages, ...extra }],
  });
}

const KINDS: { kind: Stage['technique']; stages: unknown[]; extra?: Record<string, unknown> }[] = [
  { kind: 'finetune', stages: [{ technique: 'finetune' }] },
  { kind: 'ptq', stages: [{ technique: 'ptq', params: { mode: 'static' } }] },
  { kind: 'qat', stages: [{ technique: 'qat' }] },
  { kind: 'prune', stages: [{ technique: 'prune', params: { schedule: 'gradual' } }] },
  {
    kind: 'distill',
    stages: [{ technique: 'distill', params: { baseline: false } }],
    extra: { source: 'student', student: { kind: 'mlp', hidden: [4] } },
  },
  { kind: 'lowrank', stages: [{ technique: 'lowrank' }] },
];

function compiles(name: string, script: string): void {
  const file = join(dir, name);
  writeFileSync(file, script);
  const out = runPython(python!, ['-m', 'py_compile', file], dir, 60_000);
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
}

describe('generatePytorchScript, one stage kind at a time', () => {
  for (const { kind, stages, extra } of KINDS) {
    it(`holds run_${kind} and only the sections it needs (${kind})`, () => {
      const result = generatePytorchScript(withStages(stages, extra));
      if (!result.ok) throw new Error(result.reason);
      const { script } = result;
      expect(script.startsWith('#!/usr/bin/env python3\n"""Stage check:')).toBe(true);
      expect(script).toContain(`def run_${kind}(ctx, handle, p):`);
      for (const other of KINDS.map((k) => k.kind).filter((k) => k !== kind)) {
        expect(script).not.toContain(`def run_${other}(`);
      }
      const quant = kind === 'ptq' || kind === 'qat';
      expect(script.includes('class ActFakeQuant(')).toBe(quant);
      expect(script).toContain('DistributedDataParallel(module');
      expect(script).toContain('if __name__ == "__main__":\n    main()');
      expect(result.variants).toEqual([{ id: 'v', name: 'Variant', reason: null }]);
    });

    it.skipIf(NO_PYTHON)(`compiles as Python (${kind})`, () => {
      const result = generatePytorchScript(withStages(stages, extra));
      if (!result.ok) throw new Error(result.reason);
      compiles(`${kind}.py`, result.script);
    });
  }

  it('adds the student-alone baseline of a distilled variant and lists refused variants', () => {
    const experiment = experimentOf({
      dataset: { id: 'moons' },
      variants: [
        {
          id: 'kd',
          name: 'KD',
          source: 'student',
          student: { kind: 'mlp', hidden: [4] },
          stages: [{ technique: 'distill' }],
        },
        { id: 'bad', name: 'Bad', stages: [{ technique: 'qat' }, { technique: 'finetune' }] },
      ],
    });
    const result = generatePytorchScript(experiment);
    if (!result.ok) throw new Error(result.reason);
    expect(result.variants.map((v) => [v.id, v.reason === null])).toEqual([
      ['kd', true],
      ['kd-alone', true],
      ['bad', false],
      ['fp32-control-1', true],
    ]);
    expect(result.script).toContain('Left out, because the app refuses their pipelines too:');
    expect(result.script).toContain('    bad: Stage 2 (finetune)');
    // The app's document stays whole; the variants to run leave the refused one out.
    const doc = embedded(result.script);
    expect(doc.experiment.variants.map((v) => v.id)).toEqual(['kd', 'bad']);
    expect(doc.variants.map((v) => v.id)).toEqual(['kd', 'kd-alone', 'fp32-control-1']);
    // The baseline trains with finetune, so that section comes along.
    expect(result.script).toContain('def run_finetune(');
  });

  it('refuses an experiment whose teacher cannot be built, with the reason', () => {
    const cnnOnPoints = experimentOf({
      dataset: { id: 'spiral' },
      teacher: { architecture: { kind: 'cnn' } },
    });
    expect(generatePytorchScript(cnnOnPoints)).toEqual({
      ok: false,
      reason: expect.stringMatching(/CNN, which needs image input/),
    });
    expect(pytorchExportReason(cnnOnPoints)).toMatch(/2-D points/);
    expect(pytorchExportReason(withStages([]))).toBeNull();
  });

  it('reports an invalid document instead of throwing', () => {
    const bad = { ...withStages([]), seed: -1 };
    expect(generatePytorchScript(bad)).toMatchObject({ ok: false });
  });

  it('is deterministic: the same experiment gives the same text', () => {
    const experiment = withStages([{ technique: 'prune' }]);
    expect(generatePytorchScript(experiment)).toEqual(generatePytorchScript(experiment));
  });

  it.skipIf(NO_PYTHON)('embeds names with quotes, backslashes and newlines intact', () => {
    const name = `It's '''tricky''' \\ "quoted" — ünïcode\nnext line`;
    const experiment = experimentOf({ ...withStages([]), name });
    const result = generatePytorchScript(experiment);
    if (!result.ok) throw new Error(result.reason);
    compiles('tricky.py', result.script);
    const literal = pythonTripleQuoted(JSON.stringify({ name }));
    const out = runPython(
      python!,
      ['-c', `import json, sys; sys.stdout.write(json.loads(${literal})["name"])`],
      dir,
      60_000,
    );
    expect(out.stdout).toBe(name);
  });
});
