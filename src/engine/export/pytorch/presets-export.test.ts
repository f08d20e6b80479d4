import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePytorchScript } from './script';
import { PRESETS, findPython, runPython } from './test-support';

const python = findPython();
const dir = mkdtempSync(join(tmpdir(), 'pytorch-presets-'));
afterAll(() => {
  if (!process.env['KEEP_PYTORCH_EXPORT']) rmSync(dir, { recursive: true, force: true });
});

describe('every preset exports', () => {
  for (const preset of PRESETS) {
    it(`${preset.id}: every variant, no refusals`, () => {
      const result = generatePytorchScript(preset.experiment);
      if (!result.ok) throw new Error(result.reason);
      expect(result.variants.filter((v) => v.reason !== null)).toEqual([]);
      writeFileSync(join(dir, `${preset.id}.py`), result.script);
    });
  }

  it.skipIf(!python.torch)(
    'tiny-pipeline trains its own teacher in PyTorch, and --save-teacher reloads as the same teacher',
    () => {
      const script = `tiny-pipeline.py`;
      const first = runPython(
        python.python!,
        [script, '--save-teacher', 'tiny.safetensors', '--results', 'tiny.json', '--no-latency'],
        dir,
      );
      expect(first.stderr + first.stdout).not.toMatch(/Traceback/);
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('teacher: training');
      const trained = JSON.parse(readFileSync(join(dir, 'tiny.json'), 'utf8')) as {
        variants: { id: string; accuracy: number; error: string | null }[];
      };
      expect(trained.variants.map((v) => v.id)).toEqual([
        'teacher',
        'ptq-dyn',
        'ptq-static',
        'qat',
        'fp32-control-1',
        'pruned',
        'structured',
        'lowrank',
        'shared',
        'kd',
        'kd-alone',
      ]);
      expect(trained.variants.filter((v) => v.error !== null)).toEqual([]);
      // Each variant that trains is compared with the fp32 control trained as long.
      const rows = trained.variants as unknown as {
        id: string;
        accuracy: number;
        control: string | null;
        accuracyChangeVsControlPoints: number | null;
      }[];
      const control = rows.find((v) => v.id === 'fp32-control-1')!;
      for (const id of ['qat', 'pruned', 'structured', 'lowrank', 'shared']) {
        const row = rows.find((v) => v.id === id)!;
        expect(row.control).toBe('fp32 control: +2 epochs');
        expect(row.accuracyChangeVsControlPoints).toBeCloseTo(
          100 * (row.accuracy - control.accuracy),
          9,
        );
      }
      expect(rows.find((v) => v.id === 'ptq-static')!.control).toBeNull();
      // Moons at noise 0.3 with a 16-16 MLP: a trained teacher is well above chance (50%).
      expect(trained.variants[0]!.accuracy).toBeGreaterThan(0.75);
      const again = runPython(
        python.python!,
        [
          script,
          '--teacher-weights',
          'tiny.safetensors',
          '--variants',
          'none',
          '--results',
          'again.json',
          '--no-latency',
        ],
        dir,
      );
      expect(again.status).toBe(0);
      const reloaded = JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')) as {
        variants: { accuracy: number }[];
      };
      expect(reloaded.variants.map((v) => v.accuracy)).toEqual([trained.variants[0]!.accuracy]);
    },
    300_000,
  );
});
