import { useShallow } from 'zustand/react/shallow';
import { BACKENDS } from '../../experiment/schema';
import type { BackendName } from '../../experiment/schema';
import { PRESETS } from '../../experiment/presets';
import { chooseBackend, isBusy, loadPreset } from '../../store/actions';
import { copyLink } from '../../store/link-actions';
import { LessonPicker } from '../lessons/LessonPicker';
import { runAll } from '../../store/run-actions';
import { useStore } from '../../store/store';
import './topbar.css';

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
        <select
          data-testid="preset-select"
          value={presetId}
          disabled={busy}
          onChange={(e) => loadPreset(e.target.value)}
        >
          {presetId === '' && <option value="">Custom experiment</option>}
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id} title={p.summary}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <LessonPicker />
      <label className="topbar-field" data-instructor-hide>
        <span>Backend</span>
        <select
          data-testid="backend-select"
          value={preference}
          disabled={busy || backend.status === 'starting'}
          onChange={(e) => void chooseBackend(e.target.value as 'auto' | BackendName)}
        >
          <option value="auto">auto{active ? ` (${active})` : ''}</option>
          {BACKENDS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <span
        className={`badge badge-${backend.status}`}
        data-testid="backend-badge"
        data-backend={active ?? ''}
        title={backend.info?.notices.join('\n') || undefined}
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
