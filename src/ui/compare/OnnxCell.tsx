import { useEffect, useState } from 'react';
import { exportOnnx, onnxExportReason } from '../../store/files';

/**
 * One row's ONNX download in the results table: disabled, with the reason as its tooltip and
 * accessible description, when the model has layers ONNX cannot express.
 */
export function OnnxCell({
  source,
  label,
  busy,
}: {
  source: string;
  label: string;
  busy: boolean;
}) {
  const [reason, setReason] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  useEffect(() => {
    let live = true;
    if (busy) return;
    void onnxExportReason(source).then((r) => live && setReason(r));
    return () => {
      live = false;
    };
  }, [source, busy]);
  return (
    <button
      type="button"
      className="link-button"
      data-testid="row-export-onnx"
      data-source={source}
      disabled={busy || working || reason !== null}
      title={reason ?? `Download ${label} as ONNX (what was measured)`}
      aria-label={`Download ${label} as ONNX`}
      onClick={() => {
        setWorking(true);
        void exportOnnx(source).finally(() => setWorking(false));
      }}
    >
      ONNX
    </button>
  );
}
