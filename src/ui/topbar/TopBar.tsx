import { useShallow } from 'zustand/react/shallow';
import { BACKENDS } from '../../experiment/schema';
import { PRESETS } from '../../experiment/presets';
import { chooseBackend, isBusy, loadPreset } from '../../store/actions';
import { copyLink } from '../../store/link-actions';
import { OptionSelect } from '../common/OptionSelect';
import { LessonPicker } from '../lessons/LessonPicker';
import { runAll } from '../../store/run-actions';
import { useStore } from '../../store/store';
import type { BackendInfo } from '../../worker/protocol';
import './topbar.css';

const PRESET_OPTIONS = PRESETS.map((p) => ({ value: p.id, label: p.label, title: p.summary }));
const BACKEND_OPTIONS = BACKENDS.map((b) => ({ value: b, label: b }));

/** App name, preset picker, backend badge and switch, "Run all". */
export function TopBar() {
  const { presetId, backend, preference, busy, samplesPerSec } = useStore(
    useShallow((s) => ({
      presetId: s.presetId,
      backend: s.backend,
      preference: s.experiment.backend,
      busy: isBusy(s),
      samplesPerSec: s.teacher?.samplesPerSec ?? s.measuredSpeed,
    })),
  );
  const active = backend.info?.active;
  return (
    <header className="topbar">
      <h1 className="app-name">
        <img src="/favicon.svg" alt="" width={24} height={24} /> Compression Playground
      </h1>
      <label className="topbar-field">
        <span>Preset</span>
        <OptionSelect
          testId="preset-select"
          value={presetId}
          disabled={busy}
          placeholder={presetId === '' ? 'Custom experiment' : undefined}
          options={PRESET_OPTIONS}
          onChange={loadPreset}
        />
      </label>
      <LessonPicker />
      <label className="topbar-field" data-instructor-hide>
        <span>Backend</span>
        <OptionSelect
          testId="backend-select"
          value={preference}
          disabled={busy || backend.status === 'starting'}
          options={[
            { value: 'auto', label: `auto${active ? ` (${active})` : ''}` },
            ...BACKEND_OPTIONS,
          ]}
          onChange={(b) => void chooseBackend(b)}
        />
      </label>
      <span
        className={`badge badge-${backend.status}`}
        data-testid="backend-badge"
        data-backend={active ?? ''}
        title={badgeTitle(backend.info)}
      >
        {backend.status === 'starting' && 'starting…'}
        {backend.status === 'error' && 'no backend'}
        {backend.status === 'ready' && active}
        {backend.status === 'ready' && active === 'wasm' && backend.info?.wasmThreads
          ? ` · ${backend.info.wasmThreads} thread${backend.info.wasmThreads > 1 ? 's' : ''}`
          : ''}
        {samplesPerSec !== null &&
          backend.status === 'ready' &&
          ` · ${Math.round(samplesPerSec)} samples/s`}
      </span>
      <button type="button" data-testid="copy-link" onClick={() => void copyLink()}>
        Copy link
      </button>
      <button
        type="button"
        className="primary"
        data-testid="run-all"
        disabled={busy || backend.status !== 'ready'}
        onClick={() => void runAll()}
      >
        Run all
      </button>
    </header>
  );
}

/** The badge's tooltip: which kernels train, then what went wrong on the way. */
function badgeTitle(info: BackendInfo | null | undefined): string | undefined {
  if (!info) return undefined;
  const lines = [
    ...(info.trainingKernels ? [`Training: ${info.trainingKernels}`] : []),
    ...info.notices,
  ];
  return lines.join('\n') || undefined;
}
