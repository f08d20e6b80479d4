import { useShallow } from 'zustand/react/shallow';
import { trainingSchema } from '../../experiment/schema';
import type { TrainingSpec } from '../../experiment/schema';
import { isBusy, updateExperiment } from '../../store/actions';
import { useStore } from '../../store/store';
import { Card } from '../common/Card';
import { NumberFieldRows } from '../common/NumberFieldRows';
import type { NumberRow } from '../common/NumberFieldRows';
import { SelectField } from '../common/SelectField';
import { ArchitectureEditor } from './ArchitectureEditor';
import { ModelSummary } from './ModelSummary';

const TRAINING_ROWS: NumberRow<TrainingSpec>[] = [
  { key: 'learningRate', label: 'Learning rate', step: 0.001, testId: 'learning-rate' },
  { key: 'momentum', label: 'Momentum', step: 0.05, shown: (t) => t.optimizer === 'sgd' },
  { key: 'batchSize', label: 'Batch size', step: 1, testId: 'batch-size' },
  { key: 'epochs', label: 'Epochs', step: 1, testId: 'epochs' },
];

/** The teacher network: architecture, training settings, and its summary table. */
export function TeacherCard() {
  const { teacher, datasetId, busy } = useStore(
    useShallow((s) => ({
      teacher: s.experiment.teacher,
      datasetId: s.experiment.dataset.id,
      busy: isBusy(s),
    })),
  );
  const setTraining = (patch: Partial<TrainingSpec>) =>
    updateExperiment((e) => ({
      ...e,
      teacher: { ...e.teacher, training: { ...e.teacher.training, ...patch } },
    }));
  const training = teacher.training;
  return (
    <Card
      title="Teacher"
      subtitle="The full-size network every variant is compared against"
      testId="teacher-card"
    >
      <ArchitectureEditor
        value={teacher.architecture}
        datasetId={datasetId}
        disabled={busy}
        onChange={(architecture) =>
          updateExperiment((e) => ({ ...e, teacher: { ...e.teacher, architecture } }))
        }
      />
      <h3>Training</h3>
      <div className="field-grid">
        <SelectField
          label="Optimizer"
          value={training.optimizer}
          disabled={busy}
          testId="optimizer-select"
          options={[
            { value: 'adam', label: 'Adam' },
            { value: 'sgd', label: 'SGD + momentum' },
          ]}
          onChange={(optimizer) => setTraining({ optimizer })}
        />
        <NumberFieldRows
          schema={trainingSchema}
          value={training}
          rows={TRAINING_ROWS}
          onPatch={setTraining}
          disabled={busy}
        />
      </div>
      <ModelSummary spec={teacher.architecture} datasetId={datasetId} />
    </Card>
  );
}
