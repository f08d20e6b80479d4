import { useShallow } from 'zustand/react/shallow';
import type { DatasetId, DatasetSpec } from '../../experiment/schema';
import {
  DATASET_IDS,
  datasetSchema,
  experimentSchema,
  isImageDataset,
} from '../../experiment/schema';
import { isBusy, loadDataset, updateExperiment } from '../../store/actions';
import { useStore } from '../../store/store';
import { Card } from '../common/Card';
import { NumberField } from '../common/NumberField';
import { NumberFieldRows } from '../common/NumberFieldRows';
import type { NumberRow } from '../common/NumberFieldRows';
import { ProgressBar } from '../common/ProgressBar';
import { SelectField } from '../common/SelectField';
import { DatasetPreview } from './DatasetPreview';
import '../common/notices.css';

const LABELS: Record<DatasetId, string> = {
  mnist: 'MNIST digits (28×28)',
  fashion: 'Fashion-MNIST clothes (28×28)',
  spiral: 'Spiral (2-D, 3 classes)',
  moons: 'Moons (2-D, 2 classes)',
  circles: 'Circles (2-D, 2 classes)',
  xor: 'XOR (2-D, 2 classes)',
  gaussians: 'Gaussian blobs (2-D, 3 classes)',
};

const SIZE_ROWS: NumberRow<DatasetSpec>[] = [
  { key: 'trainSize', label: 'Training examples', step: 1, testId: 'train-size' },
  { key: 'testSize', label: 'Test examples', step: 1, testId: 'test-size' },
  // Image sets have no noise setting.
  {
    key: 'noise',
    label: 'Noise (std)',
    step: 0.01,
    testId: 'noise-input',
    shown: (d) => !isImageDataset(d.id),
  },
];

/** The data the teacher learns from: which set, how much of it, and a preview. */
export function DatasetCard() {
  const { dataset, seed, status, busy } = useStore(
    useShallow((s) => ({
      dataset: s.experiment.dataset,
      seed: s.experiment.seed,
      status: s.dataset,
      busy: isBusy(s),
    })),
  );
  const setDataset = (patch: Partial<typeof dataset>) =>
    updateExperiment((e) => ({ ...e, dataset: { ...e.dataset, ...patch } }));
  return (
    <Card title="Dataset" subtitle="What the teacher learns from" testId="dataset-card">
      <div className="field-grid">
        <SelectField
          label="Dataset"
          value={dataset.id}
          disabled={busy}
          testId="dataset-select"
          options={DATASET_IDS.map((id) => ({ value: id, label: LABELS[id] }))}
          onChange={(id) => setDataset({ id })}
        />
        <NumberField
          label="Seed"
          value={seed}
          schema={experimentSchema.shape.seed.unwrap()}
          step={1}
          disabled={busy}
          testId="seed-input"
          onCommit={(value) => updateExperiment((e) => ({ ...e, seed: value }))}
        />
        <NumberFieldRows
          schema={datasetSchema}
          value={dataset}
          rows={SIZE_ROWS}
          onPatch={setDataset}
          disabled={busy}
        />
      </div>
      {status.status === 'loading' && (
        <ProgressBar fraction={status.progress} label="Loading data" testId="data-progress" />
      )}
      {status.status === 'error' && (
        <div className="notice notice-error" role="alert" data-testid="data-error">
          <span>{status.error}</span>
          <button type="button" onClick={() => void loadDataset()}>
            Retry
          </button>
        </div>
      )}
      {status.info && status.status === 'ready' && (
        <>
          <p className="muted" data-testid="dataset-counts">
            {status.info.trainCount.toLocaleString('en-US')} training,{' '}
            {status.info.validationCount.toLocaleString('en-US')} validation (held out for the
            app&rsquo;s choices) and {status.info.testCount.toLocaleString('en-US')} test examples,{' '}
            {status.info.numClasses} classes.
          </p>
          <DatasetPreview preview={status.info.preview} />
        </>
      )}
    </Card>
  );
}
