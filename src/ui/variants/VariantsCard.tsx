import { useShallow } from 'zustand/react/shallow';
import { isBusy, updateExperiment } from '../../store/actions';
import { useStore } from '../../store/store';
import { addVariant } from '../../store/variant-actions';
import { Card } from '../common/Card';
import { VariantCard } from './VariantCard';
import './variants.css';

/** The compressed variants: each a pipeline of stages from the teacher or a fresh student. */
export function VariantsCard() {
  const { variants, controls, datasetId, runs, busy } = useStore(
    useShallow((s) => ({
      variants: s.experiment.variants,
      controls: s.experiment.controls,
      datasetId: s.experiment.dataset.id,
      runs: s.variantRuns,
      busy: isBusy(s),
    })),
  );
  return (
    <Card
      title="Variants"
      subtitle="Pipelines of compression stages; click a stage to edit it"
      testId="variants-card"
      actions={
        <div className="button-row">
          <button
            type="button"
            disabled={busy}
            data-testid="add-variant"
            onClick={() => addVariant('teacher')}
          >
            + From teacher
          </button>
          <button
            type="button"
            disabled={busy}
            data-testid="add-student"
            onClick={() => addVariant('student')}
          >
            + Student
          </button>
        </div>
      }
    >
      {variants.length === 0 && (
        <p className="muted">No variants yet: add one, or pick a preset with variants.</p>
      )}
      <div className="variant-list">
        {variants.map((v, i) => (
          <VariantCard
            key={v.id}
            variant={v}
            index={i}
            datasetId={datasetId}
            run={runs[v.id]}
            disabled={busy}
          />
        ))}
      </div>
      <label className="checkbox-field controls-toggle">
        <input
          type="checkbox"
          checked={controls}
          disabled={busy}
          data-testid="controls-toggle"
          onChange={(e) => updateExperiment((x) => ({ ...x, controls: e.target.checked }))}
        />
        fp32 controls: for each variant that trains (QAT, fine-tuned pruning or low-rank), also
        train the teacher as long without compressing, to compare against (Δ vs control)
      </label>
    </Card>
  );
}
