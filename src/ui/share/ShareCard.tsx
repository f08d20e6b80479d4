import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { expandVariants } from '../../experiment/expand';
import { isBusy } from '../../store/actions';
import { pytorchExportReason } from '../../engine/export/pytorch/script';
import {
  exportExperiment,
  exportModel,
  exportOnnx,
  exportPytorch,
  importExperimentFile,
  onnxExportReason,
} from '../../store/files';
import { clearStoredData } from '../../store/persist';
import { useStore } from '../../store/store';
import { Card } from '../common/Card';
import { OptionSelect } from '../common/OptionSelect';

/** Export / import the experiment as a file, download models, clear what the browser keeps. */
export function ShareCard() {
  const { experiment, teacher, results, busy } = useStore(
    useShallow((s) => ({
      experiment: s.experiment,
      teacher: s.teacher,
      results: s.results,
      busy: isBusy(s),
    })),
  );
  const [source, setSource] = useState('teacher');
  const [working, setWorking] = useState(false);
  const pytorchReason = pytorchExportReason(experiment);
  const measured = new Set(results.map((r) => r.variant));
  const variants = expandVariants(experiment).filter((v) => measured.has(v.name));
  const selected =
    source === 'teacher' || variants.some((v) => v.id === source) ? source : 'teacher';
  const [onnxReason, setOnnxReason] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (!teacher || busy) return;
    void onnxExportReason(selected).then((r) => live && setOnnxReason(r));
    return () => {
      live = false;
    };
  }, [selected, teacher, busy, results]);
  const run = (task: () => Promise<void>) => {
    setWorking(true);
    void task().finally(() => setWorking(false));
  };
  return (
    <Card
      title="Share and keep"
      subtitle="Files to keep or send; this browser also remembers your last session"
      testId="share-card"
    >
      <div className="button-row">
        <button
          type="button"
          data-testid="export-experiment"
          disabled={working}
          onClick={() => run(exportExperiment)}
        >
          Export experiment
        </button>
        <label className="file-button">
          Import experiment{' '}
          <input
            type="file"
            accept="application/json,.json"
            data-testid="import-experiment"
            disabled={busy || working}
            onChange={(e) => {
              const input = e.currentTarget;
              const file = input.files?.[0];
              if (file) run(() => importExperimentFile(file).finally(() => (input.value = '')));
            }}
          />
        </label>
      </div>
      <p className="card-subtitle">
        The experiment file holds the settings, the results and the trained teacher’s weights, so an
        import can be re-measured without training.
      </p>
      <div className="button-row">
        <label>
          Model{' '}
          <OptionSelect
            testId="export-model-source"
            value={selected}
            options={[
              { value: 'teacher', label: 'Teacher' },
              ...variants.map((v) => ({ value: v.id, label: v.name })),
            ]}
            onChange={setSource}
          />
        </label>
        <button
          type="button"
          data-testid="export-model"
          disabled={!teacher || busy || working}
          onClick={() => run(() => exportModel(selected))}
        >
          Export model
        </button>
        <button
          type="button"
          data-testid="export-onnx"
          disabled={!teacher || busy || working || onnxReason !== null}
          title={onnxReason ?? 'ONNX for onnxruntime: QDQ (int8) for quantized variants'}
          onClick={() => run(() => exportOnnx(selected))}
        >
          Export ONNX
        </button>
      </div>
      {teacher && onnxReason && (
        <p className="card-subtitle" data-testid="onnx-reason">
          ONNX: {onnxReason}
        </p>
      )}
      <p className="card-subtitle">
        Export model: model.json + weights.bin for stock TensorFlow.js (tf.loadLayersModel), the
        exact weights the variant computes with (uint8 on its own grid where tfjs can encode it).
        Export ONNX: a .onnx file for onnxruntime, quantized variants as a QDQ graph of the integer
        model that was measured.
      </p>
      <div className="button-row">
        <button
          type="button"
          data-testid="export-pytorch"
          disabled={working || pytorchReason !== null}
          title={pytorchReason ?? undefined}
          onClick={() => run(exportPytorch)}
        >
          Export as PyTorch
        </button>
      </div>
      <p className="card-subtitle" data-testid="export-pytorch-note">
        {pytorchReason ??
          'experiment.py reproduces this experiment in PyTorch (also under torchrun with DDP on a cluster); with a trained teacher, teacher.safetensors comes along.'}
      </p>
      <div className="button-row">
        <button
          type="button"
          data-testid="clear-storage"
          disabled={working}
          onClick={() => run(clearStoredData)}
        >
          Clear stored data
        </button>
      </div>
    </Card>
  );
}
