import { useShallow } from 'zustand/react/shallow';
import { trainingSchema } from '../../experiment/schema';
import type { TrainingSpec } from '../../experiment/schema';
import { isBusy, updateExperiment } from '../../store/actions';
import { useStore } from '../../store/store';
import { Card } from '../common/Card';
import { NumberField } from '../common/NumberField';
import { SelectField } from '../common/SelectField';
import { ArchitectureEditor } from './ArchitectureEditor';
import { ModelSummary } from './ModelSummary';

const t = trainingSchema.shape;

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
        <NumberField
          label="Learning rate"
          value={training.learningRate}
          schema={t.learningRate.unwrap()}
          step={0.001}
          disabled={busy}
          testId="learning-rate"
          onCommit={(learningRate) => setTraining({ learningRate })}
        />
        {training.optimizer === 'sgd' && (
          <NumberField
            label="Momentum"
            value={training.momentum}
            schema={t.momentum.unwrap()}
            step={0.05}
            disabled={busy}
            onCommit={(momentum) => setTraining({ momentum })}
          />
        )}
        <NumberField
          label="Batch size"
          value={training.batchSize}
          schema={t.batchSize.unwrap()}
          step={1}
          disabled={busy}
          testId="batch-size"
          onCommit={(batchSize) => setTraining({ batchSize })}
        />
        <NumberField
          label="Epochs"
          value={training.epochs}
          schema={t.epochs.unwrap()}
          step={1}
          disabled={busy}
          testId="epochs"
          onCommit={(epochs) => setTraining({ epochs })}
        />
      </div>
      <ModelSummary spec={teacher.architecture} datasetId={datasetId} />
    </Card>
  );
}
