import { useEffect, useMemo, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { expandVariants } from '../../experiment/expand';
import { loadInspection, resetInspection, useInspectStore } from '../../store/inspect-actions';
import { useStore } from '../../store/store';
import { useShallow } from 'zustand/react/shallow';
import { Card } from '../common/Card';
import { SelectField } from '../common/SelectField';
import { LowRankView } from '../../techniques/lowrank/views/LowRankView';
import { PruneView } from '../../techniques/prune/views/PruneView';
import { QuantView } from '../../techniques/quantize/views/QuantView';
import { ShareView } from '../../techniques/share/views/ShareView';
import { TemperatureView } from '../../techniques/distill/views/TemperatureView';
import { distilledSources, finishedRuns, inspectableSources } from './view-data';
import './views.css';

const TABS = [
  { id: 'quant', label: 'Quantization' },
  { id: 'prune', label: 'Pruning' },
  { id: 'lowrank', label: 'Low-rank' },
  { id: 'share', label: 'Weight sharing' },
  { id: 'temperature', label: 'Temperature' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** "What the technique did": weight grids, masks, spectra and softened outputs of a model. */
export function TechniqueViews() {
  const teacher = useStore((s) => s.teacher);
  if (teacher === null) return null;
  return <TechniqueViewsPanel />;
}

function TechniqueViewsPanel() {
  const experiment = useStore((s) => s.experiment);
  // Only which variants finished matters here, not their progress ten times a second.
  const variantRuns = useStore(useShallow((s) => finishedRuns(s.variantRuns)));
  const teacher = useStore((s) => s.teacher);
  const resultCount = useStore((s) => s.results.length);
  const running = useStore((s) => s.run.status === 'running' || s.run.status === 'paused');
  const inspection = useInspectStore((s) => s.inspection);
  const [source, setSource] = useState('teacher');
  const [layer, setLayer] = useState('');
  const [tab, setTab] = useState<TabId>('quant');

  const variants = useMemo(() => expandVariants(experiment), [experiment]);
  const sources = useMemo(() => inspectableSources(variants, variantRuns), [variants, variantRuns]);
  const students = useMemo(() => distilledSources(variants, variantRuns), [variants, variantRuns]);
  const current = sources.some((s) => s.value === source) ? source : 'teacher';

  // A new teacher makes every fetched view stale.
  useEffect(() => resetInspection(), [teacher]);
  const data = inspection.data?.source === current ? inspection.data : null;
  const layers = data?.quant.layers.map((l) => l.name) ?? [];
  const chosen = data && layers.includes(layer) ? layer : (data?.prune.layer ?? '');
  // Ask for a layer only when this model has it (another model may name its layers differently).
  const requested = layers.includes(layer) ? layer : undefined;
  // The lab table compares a variant's row of the comparison table with the teacher's.
  const results = useStore((s) => s.results);
  const labMeasurements = useMemo(() => {
    const name = sources.find((s) => s.value === current)?.label;
    const row = current === 'teacher' ? undefined : results.find((r) => r.variant === name);
    return row && teacher ? { teacher: teacher.measurement, variant: row } : null;
  }, [sources, current, results, teacher]);

  // The worker is busy training during a run: read the models once it is over.
  useEffect(() => {
    if (!running) void loadInspection(current, requested);
  }, [current, requested, teacher, resultCount, running]);

  // Arrow keys move between tabs, Home/End jump to the ends (the WAI-ARIA tabs pattern).
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const n = TABS.length;
    const moves: Record<string, number> = {
      ArrowRight: i + 1,
      ArrowLeft: i - 1,
      Home: 0,
      End: n - 1,
    };
    const target = moves[e.key];
    if (target === undefined) return;
    e.preventDefault();
    const next = TABS[(target + n) % n]!;
    setTab(next.id);
    document.getElementById(`views-tab-${next.id}`)?.focus();
  };

  return (
    <Card
      title="What the technique did"
      subtitle="Inside one model: its weight grid, pruning mask, spectrum, shared values and softened outputs."
      testId="technique-views"
    >
      <div className="field-grid">
        <SelectField
          label="Model"
          value={current}
          options={sources}
          onChange={(v) => {
            setSource(v);
            setLayer('');
          }}
          testId="views-source"
        />
        <SelectField
          label="Layer"
          value={chosen}
          options={
            layers.length
              ? layers.map((l) => ({ value: l, label: l }))
              : [{ value: '', label: '—' }]
          }
          onChange={setLayer}
          disabled={layers.length === 0}
          testId="views-layer"
        />
      </div>
      <div className="views-tabs" role="tablist" aria-label="Technique views">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            id={`views-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls="views-tabpanel"
            tabIndex={tab === t.id ? 0 : -1}
            data-testid={`views-tab-${t.id}`}
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div
        id="views-tabpanel"
        role="tabpanel"
        aria-labelledby={`views-tab-${tab}`}
        className="views-panel"
        data-status={inspection.status}
      >
        {running && <p className="muted">The views update when the run finishes.</p>}
        {inspection.status === 'loading' && <p className="muted">Reading the model…</p>}
        {inspection.status === 'error' && tab !== 'temperature' && (
          <p className="views-error" role="alert" data-testid="views-error">
            {inspection.error}
          </p>
        )}
        {tab === 'quant' && data && (
          <QuantView inspection={data} layer={chosen} running={running} />
        )}
        {tab === 'prune' && data && (
          <PruneView report={data.prune} measurements={labMeasurements} />
        )}
        {tab === 'lowrank' && data && <LowRankView spectra={data.lowrank} layer={chosen} />}
        {tab === 'share' && data && <ShareView codebooks={data.share} layer={chosen} />}
        {tab === 'temperature' && !running && <TemperatureView students={students} />}
      </div>
    </Card>
  );
}
