import { useState } from 'react';
import type { TechniqueId, Variant } from '../../experiment/stages';
import { TECHNIQUES, techniqueOf } from '../../techniques/registry';
import type { StageViewProps } from '../../techniques/stage-views';
import { STAGE_EDITOR_VIEWS } from '../../techniques/stage-views';
import type { DatasetId } from '../../experiment/schema';
import type { VariantRunState } from '../../store/store';
import {
  addStage,
  moveStage,
  removeStage,
  removeVariant,
  renameVariant,
  setStudent,
} from '../../store/variant-actions';
import { OptionSelect } from '../common/OptionSelect';
import { ArchitectureEditor } from '../model/ArchitectureEditor';
import { ModelSummary } from '../model/ModelSummary';
import { colourOf } from '../palette';
import { stageSummary } from '../../techniques/registry';
import { StageEditor } from './StageEditor';
import './variants.css';

const STAGE_OPTIONS = TECHNIQUES.map((t) => ({
  value: t.id as TechniqueId,
  label: t.label,
  title: t.description,
}));

/** The technique's own view below its stage editor, if it has one. */
function StageEditorView(props: StageViewProps) {
  const View = STAGE_EDITOR_VIEWS[props.stage.technique];
  return View ? <View {...props} /> : null;
}

interface Props {
  variant: Variant;
  index: number;
  datasetId: DatasetId;
  run: VariantRunState | undefined;
  disabled: boolean;
}

function statusText(run: VariantRunState | undefined, stages: number): string {
  if (!run) return '';
  if (run.status === 'queued') return 'queued';
  if (run.status === 'error') return 'failed';
  if (run.status === 'done') return 'done';
  if (run.status === 'measuring') return 'measuring…';
  return `stage ${run.stageIndex + 1}/${stages}${run.message ? ` · ${run.message}` : ''}`;
}

/** One variant: its pipeline as a chain of editable stage chips, and its run status. */
export function VariantCard({ variant, index, datasetId, run, disabled }: Props) {
  const [open, setOpen] = useState<number | null>(null);
  const selected = open !== null && open < variant.stages.length ? open : null;
  return (
    <article
      className="variant-card"
      data-testid="variant-card"
      data-variant-id={variant.id}
      style={{ borderLeftColor: colourOf(index + 1) }}
    >
      <header className="variant-header">
        <input
          className="variant-name"
          aria-label="Variant name"
          defaultValue={variant.name}
          disabled={disabled}
          onBlur={(e) => renameVariant(variant.id, e.target.value)}
        />
        <span
          className={`variant-status status-${run?.status ?? 'idle'}`}
          data-testid="variant-status"
          data-status={run?.status ?? 'idle'}
        >
          {statusText(run, variant.stages.length)}
        </span>
        <button
          type="button"
          className="icon"
          aria-label={`Remove ${variant.name}`}
          disabled={disabled}
          onClick={() => removeVariant(variant.id)}
        >
          ×
        </button>
      </header>
      {run?.error && (
        <p className="field-error" role="alert" data-testid="variant-error">
          {run.error}
        </p>
      )}
      <ol className="chain" aria-label="Pipeline">
        <li className="chip chip-source">{variant.source}</li>
        {variant.stages.map((stage, i) => (
          <li key={i}>
            <button
              type="button"
              className={`chip${selected === i ? ' chip-open' : ''}${run?.reused.includes(i) ? ' chip-reused' : ''}`}
              aria-expanded={selected === i}
              data-testid="stage-chip"
              onClick={() => setOpen(selected === i ? null : i)}
            >
              {stageSummary(stage)}
            </button>
          </li>
        ))}
        <li>
          <OptionSelect
            className="chip chip-add"
            aria-label="Add a stage"
            value=""
            placeholder="+ stage"
            options={STAGE_OPTIONS}
            disabled={disabled || variant.stages.length >= 8}
            testId="add-stage"
            onChange={(technique) => {
              addStage(variant.id, technique);
              setOpen(variant.stages.length);
            }}
          />
        </li>
      </ol>
      {selected !== null && variant.stages[selected] && (
        <div className="stage-panel">
          <div className="stage-panel-header">
            <strong>{techniqueOf(variant.stages[selected].technique).label}</strong>
            <div className="button-row">
              <button
                type="button"
                disabled={disabled || selected === 0}
                onClick={() => (moveStage(variant.id, selected, -1), setOpen(selected - 1))}
              >
                ← Earlier
              </button>
              <button
                type="button"
                disabled={disabled || selected === variant.stages.length - 1}
                onClick={() => (moveStage(variant.id, selected, 1), setOpen(selected + 1))}
              >
                Later →
              </button>
              <button
                type="button"
                className="danger"
                disabled={disabled}
                onClick={() => (removeStage(variant.id, selected), setOpen(null))}
              >
                Remove
              </button>
            </div>
          </div>
          <StageEditor
            variantId={variant.id}
            index={selected}
            stage={variant.stages[selected]}
            disabled={disabled}
          />
          <StageEditorView
            stage={variant.stages[selected]}
            stageIndex={selected}
            run={run}
            colour={colourOf(index + 1)}
          />
        </div>
      )}
      {variant.source === 'student' && variant.student && (
        <details className="student">
          <summary>Student architecture</summary>
          <ArchitectureEditor
            value={variant.student}
            datasetId={datasetId}
            disabled={disabled}
            onChange={(s) => setStudent(variant.id, s)}
          />
          <ModelSummary spec={variant.student} datasetId={datasetId} />
        </details>
      )}
    </article>
  );
}
