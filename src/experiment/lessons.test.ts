import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { LESSONS, findLesson } from './lessons';
import { experimentSchema } from './schema';

describe('lessons', () => {
  it('are at least five, with unique link-safe ids, and findLesson finds each', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(5);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      expect(l.id).toMatch(/^[a-z0-9-]{1,32}$/);
      expect(findLesson(l.id)).toBe(l);
    }
    expect(findLesson('no-such-lesson')).toBeUndefined();
  });

  it('hold valid, small experiments (MLPs, ≤ 3000 training examples, ≤ 12 variants)', () => {
    for (const l of LESSONS) {
      expect(experimentSchema.safeParse(l.experiment).success).toBe(true);
      expect(l.experiment.dataset.trainSize).toBeLessThanOrEqual(3000);
      expect(l.experiment.teacher.architecture.kind).toBe('mlp');
      expect(l.experiment.variants.length).toBeGreaterThan(0);
    }
  });

  it('have 3–6 paragraphs, formulas and try-this steps', () => {
    for (const l of LESSONS) {
      expect(l.paragraphs.length).toBeGreaterThanOrEqual(3);
      expect(l.paragraphs.length).toBeLessThanOrEqual(6);
      expect(l.formulas.length).toBeGreaterThan(0);
      expect(l.tryThis.length).toBeGreaterThan(0);
    }
  });

  it('render every formula with KaTeX without error', () => {
    for (const l of LESSONS) {
      for (const f of l.formulas) {
        const html = katex.renderToString(f.tex, { throwOnError: true });
        expect(html).toContain('class="katex"');
      }
    }
  });

  it('sweep the bit widths 8, 6, 4, 3, 2 in the quantization lesson', () => {
    const bits = findLesson('quant-bits')!.experiment.variants.map((v) => {
      const stage = v.stages[0]!;
      return stage.technique === 'ptq' ? stage.params.weightBits : -1;
    });
    expect(bits).toEqual([8, 6, 4, 3, 2]);
  });

  it('distills at T = 1, 4, 10 with one student-alone baseline', () => {
    const stages = findLesson('distill-temperature')!.experiment.variants.map((v) => v.stages[0]!);
    const params = stages.map((s) => (s.technique === 'distill' ? s.params : null));
    expect(params.map((p) => p?.temperature)).toEqual([1, 4, 10]);
    expect(params.filter((p) => p?.baseline).length).toBe(1);
  });
});
