import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { expandVariants } from '../../experiment/expand';
import { useStore } from '../../store/store';
import { ConfusionTable } from '../common/ConfusionTable';
import { SelectField } from '../common/SelectField';
import { Figure } from '../figure/Figure';
import type { Disagreement } from './diff';
import {
  confusionDiff,
  confusionFromPredictions,
  diffSources,
  disagreementCount,
  disagreements,
  divergingColour,
} from './diff';
import { loadDiffBase, loadDiffSamples, useDiffData } from './diff-data';
import './compare.css';

const MAX_EXAMPLES = 24;

/** One grey test image (side × side, 0..255) drawn on a canvas, shown enlarged. */
function SampleImage({ pixels, side }: { pixels: Uint8ClampedArray; side: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(side, side);
    for (let p = 0; p < side * side; p++) {
      const v = pixels[p] ?? 0;
      image.data.set([v, v, v, 255], 4 * p);
    }
    ctx.putImageData(image, 0, 0);
  }, [pixels, side]);
  return <canvas ref={canvas} width={side} height={side} className="diff-image" />;
}

/** B − A per (true, predicted) cell, coloured on a diverging scale. */
function DiffMatrix({ diff, classNames }: { diff: number[]; classNames: string[] }) {
  const maxAbs = Math.max(1, ...diff.map(Math.abs));
  return (
    <ConfusionTable
      testId="diff-matrix"
      values={diff}
      classNames={classNames}
      boldDiagonal
      format={(d) => (d > 0 ? `+${d}` : String(d))}
      shade={(d) => ({ background: divergingColour(d, maxAbs) })}
    />
  );
}

/** Test examples the two models classify differently, with the truth and both answers. */
function Examples({ items, names }: { items: Disagreement[]; names: [string, string] }) {
  const samples = useDiffData((s) => s.samples);
  const classNames = useStore((s) => s.dataset.info?.classNames ?? []);
  const key = items.map((d) => d.index).join(',');
  useEffect(() => {
    if (key) void loadDiffSamples(key.split(',').map(Number));
  }, [key]);
  const data = samples?.key === key ? samples.data : null;
  const cls = (c: number) => classNames[c] ?? String(c);
  return (
    <ul className="diff-examples" data-testid="diff-examples">
      {items.map((d, i) => {
        const image = data?.images?.[i];
        const point = data?.points?.[i];
        return (
          <li key={d.index} data-testid="diff-example">
            {image && data?.side ? <SampleImage pixels={image} side={data.side} /> : null}
            {point ? (
              <div className="muted">
                ({point.x.toFixed(2)}, {point.y.toFixed(2)})
              </div>
            ) : null}
            <div>
              #{d.index} true <strong>{cls(d.label)}</strong>
            </div>
            <div className={verdict(d.a === d.label)}>
              {names[0]}: {cls(d.a)}
            </div>
            <div className={verdict(d.b === d.label)}>
              {names[1]}: {cls(d.b)}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** Class of a model's answer: right (green) or wrong (vermillion). */
const verdict = (right: boolean) => (right ? 'verdict-right' : 'verdict-wrong');

/** Where two models differ: the confusion-matrix difference and the examples they disagree on. */
export function VariantDiff() {
  // Redrawn as background work React can interrupt when a result arrives mid-run.
  const { teacher, experiment, results, predictions, classNames } = useDeferredValue(
    useStore(
      useShallow((s) => ({
        teacher: s.teacher,
        experiment: s.experiment,
        results: s.results,
        predictions: s.predictions,
        classNames: s.dataset.info?.classNames ?? null,
      })),
    ),
  );
  const base = useDiffData(
    useShallow((s) => ({
      forTeacher: s.forTeacher,
      labels: s.labels,
      teacherPredictions: s.teacherPredictions,
      error: s.error,
    })),
  );
  useEffect(() => {
    if (teacher && base.forTeacher !== teacher) void loadDiffBase(teacher);
  }, [teacher, base.forTeacher]);
  const sources = useMemo(
    () =>
      diffSources(
        expandVariants(experiment),
        results.map((r) => r.variant),
        Object.keys(predictions),
      ),
    [experiment, results, predictions],
  );
  const [chosenA, setA] = useState('teacher');
  const [chosenB, setB] = useState<string | null>(null);
  const has = (id: string | null) => id !== null && sources.some((s) => s.id === id);
  const a = has(chosenA) ? chosenA : 'teacher';
  const b = has(chosenB) ? chosenB! : (sources[1]?.id ?? 'teacher');
  const predictionsOf = (id: string) =>
    id === 'teacher' ? base.teacherPredictions : (predictions[id] ?? null);
  const pa = predictionsOf(a);
  const pb = predictionsOf(b);
  const labels = base.labels;
  const numClasses = classNames?.length ?? 0;
  const view = useMemo(() => {
    if (!labels || !pa || !pb || numClasses === 0) return null;
    const diff = confusionDiff(
      confusionFromPredictions(labels, pa, numClasses),
      confusionFromPredictions(labels, pb, numClasses),
    );
    return {
      diff,
      total: disagreementCount(pa, pb),
      items: disagreements(labels, pa, pb, MAX_EXAMPLES),
    };
  }, [labels, pa, pb, numClasses]);
  if (!teacher || sources.length < 2 || !classNames) return null;
  const nameOf = (id: string) => sources.find((s) => s.id === id)?.name ?? id;
  const options = sources.map((s) => ({ value: s.id, label: s.name }));
  return (
    <Figure
      testId="variant-diff"
      caption="Confusion counts of B minus A (rows: true class). Blue on the diagonal: B gets more of that class right; blue off it: B makes that mistake more often. Vermillion is the reverse."
    >
      <div className="button-row">
        <SelectField label="A" value={a} options={options} onChange={setA} testId="diff-a" />
        <SelectField label="B" value={b} options={options} onChange={setB} testId="diff-b" />
      </div>
      {base.error && <p className="field-error">{base.error}</p>}
      {!view && !base.error && <p className="muted">Reading the test predictions…</p>}
      {view && (
        <>
          <DiffMatrix diff={view.diff} classNames={classNames} />
          <p className="muted" data-testid="diff-count" data-count={view.total}>
            {a === b
              ? 'A and B are the same model: pick two different ones.'
              : `They disagree on ${view.total} of ${labels!.length} test examples` +
                (view.total > view.items.length ? ` (first ${view.items.length} shown).` : '.')}
          </p>
          {view.items.length > 0 && <Examples items={view.items} names={[nameOf(a), nameOf(b)]} />}
        </>
      )}
    </Figure>
  );
}
