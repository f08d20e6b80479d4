// Keeps the last session in IndexedDB: experiment, results, capped curves, and the teacher.
import { checkCode, isEmptyHash, restoreExperiment } from '../experiment/link';
import type { Experiment } from '../experiment/schema';
import type { StoredTeacherMeta, TeacherResult, VariantMeasurement } from '../worker/protocol';
import { notify } from './actions';
import { isOwnAddress } from './address-bar';
import { clearBackendChoice } from './backend-cache';
import { getEngine } from './engine-client';
import { parseMeasurement, parseTeacherOutcome, teacherKey } from '../experiment/measurement';
import type { AppState, RunStatus } from './store';
import { useStore } from './store';
import { ENGINE_STOPPED_ERROR } from './watchdog';

const DB_NAME = 'compression-playground';
const STORE = 'state';
const KEY = 'last';
const TEACHER_KEY = 'teacher';
/** The IndexedDB database tfjs keeps saved models in (indexeddb:// URLs). */
const TFJS_DB = 'tensorflowjs';
export const SAVE_DELAY_MS = 500;
/** Points kept per curve in storage (evenly thinned). */
export const MAX_STORED_CURVE_POINTS = 300;
export const RESTORED_NOTICE = 'Restored your last session (results measured before the reload).';

type Curves = AppState['curves'];

/** What is stored under 'last'. */
export interface PersistedState {
  version: 1;
  presetId: string;
  experiment: Experiment;
  teacher: TeacherResult | null;
  results: VariantMeasurement[];
  curves: Curves;
  runStatus: RunStatus;
}

/** Keeps at most `max` points of a curve, evenly spaced, always with the last one. */
export function thinCurve<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  const stride = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * stride)]!);
  return out;
}

/** The part of the state worth keeping; a run in progress is stored as cancelled. */
export function snapshotOf(state: AppState): PersistedState {
  const curves: Curves = {};
  for (const [k, v] of Object.entries(state.curves))
    curves[k] = thinCurve(v, MAX_STORED_CURVE_POINTS);
  const busy = state.run.status === 'running' || state.run.status === 'paused';
  return {
    version: 1,
    presetId: state.presetId,
    experiment: state.experiment,
    teacher: state.teacher,
    results: state.results,
    curves,
    runStatus: busy ? 'cancelled' : state.run.status,
  };
}

const STATUSES: RunStatus[] = ['idle', 'done', 'cancelled', 'error'];

/** Validates a stored record (it may be from an older version or damaged); null if unusable. */
export function parsePersisted(raw: unknown): PersistedState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.version !== 1 || typeof r.experiment !== 'object' || r.experiment === null) return null;
  const problems: string[] = [];
  const experiment = restoreExperiment(r.experiment as Record<string, unknown>, problems);
  if (problems.length > 0) return null;
  const teacher = r.teacher == null ? null : parseTeacherOutcome(r.teacher);
  if (r.teacher != null && teacher === null) return null;
  if (!Array.isArray(r.results)) return null;
  const results = r.results.map(parseMeasurement);
  if (results.some((v) => v === null)) return null;
  const curves: Curves = {};
  if (typeof r.curves === 'object' && r.curves !== null) {
    for (const [k, v] of Object.entries(r.curves as Record<string, unknown>)) {
      if (!Array.isArray(v)) continue;
      curves[k] = v.filter(
        (p): p is Curves[string][number] =>
          typeof p === 'object' &&
          p !== null &&
          ['step', 'loss', 'accuracy'].every(
            (f) => typeof (p as Record<string, unknown>)[f] === 'number',
          ),
      );
    }
  }
  const status = STATUSES.includes(r.runStatus as RunStatus) ? (r.runStatus as RunStatus) : 'idle';
  return {
    version: 1,
    presetId: typeof r.presetId === 'string' ? r.presetId : '',
    experiment,
    teacher,
    results: results as VariantMeasurement[],
    curves,
    runStatus: status,
  };
}

/** How the snapshot is stored: its JSON text and that text's FNV-1a check code. */
export interface SealedRecord {
  sealed: 1;
  check: string;
  json: string;
}

/** A snapshot sealed for storage: { sealed: 1, check: FNV-1a(json), json }. */
export function sealRecord(snapshot: PersistedState): SealedRecord {
  const json = JSON.stringify(snapshot);
  return { sealed: 1, check: checkCode(json), json };
}

export type OpenedRecord =
  { kind: 'empty' } | { kind: 'ok'; state: PersistedState } | { kind: 'damaged'; why: string };

/**
 * A stored record checked and validated: nothing stored, a usable snapshot, or a damaged one
 * (check code mismatch from a write cut short, JSON that does not parse, or fields that do not
 * validate). Records from before sealing (a bare snapshot) are validated as they are.
 */
export function openRecord(raw: unknown): OpenedRecord {
  if (raw === undefined || raw === null) return { kind: 'empty' };
  const r = raw as Partial<SealedRecord>;
  if (typeof raw === 'object' && r.sealed === 1) {
    if (typeof r.json !== 'string' || r.check !== checkCode(r.json)) {
      return { kind: 'damaged', why: 'its check code does not match' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.json);
    } catch {
      return { kind: 'damaged', why: 'it is not readable JSON' };
    }
    const state = parsePersisted(parsed);
    return state ? { kind: 'ok', state } : { kind: 'damaged', why: 'its fields do not validate' };
  }
  const state = parsePersisted(raw);
  return state ? { kind: 'ok', state } : { kind: 'damaged', why: 'its fields do not validate' };
}

export const DAMAGED_NOTICE =
  'The session saved in this browser was damaged, so it was skipped (its results are not shown); your next change saves a fresh copy.';

// ---- a tiny promise wrapper around IndexedDB ----

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function openDb(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('no IndexedDB'));
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return request(req);
}

async function withStore<T>(
  mode: IDBTransactionMode,
  operation: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
    done.catch(() => undefined); // awaited below; a failed request reports first
    const result = await request(operation(tx.objectStore(STORE)));
    await done;
    return result;
  } finally {
    db.close();
  }
}

const idbGet = (key: string) => withStore<unknown>('readonly', (s) => s.get(key));
const idbPut = (key: string, value: unknown) => withStore('readwrite', (s) => s.put(value, key));

// ---- saving and restoring ----

let warned = false;

function reportFailure(error: unknown): void {
  if (warned) return;
  warned = true;
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  notify(
    'error',
    name === 'QuotaExceededError'
      ? 'Browser storage is full, so your work is not saved: results stay on screen until you reload. “Clear stored data” or freeing space fixes it.'
      : 'This browser does not let the page store data here (private window or disabled storage), so your work is not saved across reloads.',
  );
}

/** Writes a snapshot now; failures become one notice, never an exception. */
export async function saveNow(state: AppState = useStore.getState()): Promise<void> {
  try {
    await idbPut(KEY, sealRecord(snapshotOf(state)));
  } catch (error) {
    reportFailure(error);
  }
}

let pendingTeacher: StoredTeacherMeta | null = null;
/** The teacher result whose weights were last saved (a finished run saves a newer one). */
let savedTeacher: TeacherResult | null = null;

/**
 * Restores the last session unless the URL carries a shared link: with no hash, or with the
 * address this tab wrote itself (a reload) when it holds the same experiment. Call before the
 * engine starts. Returns whether something was restored.
 */
export async function restorePersisted(hash: string = window.location.hash): Promise<boolean> {
  const reload = isOwnAddress(hash);
  if (!isEmptyHash(hash) && !reload) return false;
  try {
    const record = openRecord(await idbGet(KEY));
    if (record.kind === 'damaged') {
      notify('error', `${DAMAGED_NOTICE} (${record.why})`);
      return false;
    }
    if (record.kind === 'empty') return false;
    const saved = record.state;
    // The address is newer than the last save when they differ: keep the address's experiment.
    const current = useStore.getState().experiment;
    if (reload && JSON.stringify(saved.experiment) !== JSON.stringify(current)) return false;
    useStore.setState({
      presetId: saved.presetId,
      experiment: saved.experiment,
      teacher: saved.teacher,
      results: saved.results,
      curves: saved.curves,
      run: { status: saved.runStatus, steps: [], epochs: [], error: null },
    });
    const meta = (await idbGet(TEACHER_KEY)) as { outcome?: unknown } | undefined;
    const outcome = meta ? parseTeacherOutcome(meta.outcome) : null;
    if (outcome) pendingTeacher = { outcome };
    if (saved.teacher || saved.results.length > 0) notify('info', RESTORED_NOTICE);
    return true;
  } catch (error) {
    reportFailure(error);
    return false;
  }
}

async function saveTeacher(experiment: Experiment): Promise<void> {
  try {
    const meta = await getEngine().saveTeacher(experiment);
    if (meta) await idbPut(TEACHER_KEY, meta);
  } catch (error) {
    // A worker that stopped is not the storage's fault (the page says so on its own).
    if (error instanceof Error && error.name === ENGINE_STOPPED_ERROR) return;
    reportFailure(error);
  }
}

async function loadTeacher(meta: StoredTeacherMeta): Promise<void> {
  try {
    await getEngine().loadTeacher(useStore.getState().experiment, meta);
  } catch (error) {
    // A stored teacher that cannot be read (e.g. weights written half) only means a new one.
    const why = error instanceof Error ? error.message : String(error);
    notify(
      'info',
      `The teacher saved in this browser could not be read (${why}): “Run all” trains a new one.`,
    );
  }
}

/**
 * Gives a fresh engine (after a crash) the teacher saved in this browser, when it belongs to the
 * current experiment; otherwise the next run trains one. Returns whether there was one to give.
 */
export async function reloadSavedTeacher(): Promise<boolean> {
  let outcome: TeacherResult | null;
  try {
    const meta = (await idbGet(TEACHER_KEY)) as { outcome?: unknown } | undefined;
    outcome = meta ? parseTeacherOutcome(meta.outcome) : null;
  } catch {
    return false; // no storage here: nothing was saved
  }
  if (!outcome || outcome.key !== teacherKey(useStore.getState().experiment)) return false;
  await loadTeacher({ outcome });
  return true;
}

let stop: (() => void) | null = null;

/** Saves the session (debounced) on every relevant change; keeps the trained teacher. */
export function startPersistence(): () => void {
  if (stop) return stop;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = useStore.subscribe((s, prev) => {
    const changed =
      s.experiment !== prev.experiment ||
      s.teacher !== prev.teacher ||
      s.results !== prev.results ||
      s.curves !== prev.curves ||
      s.run.status !== prev.run.status;
    if (changed) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void saveNow(), SAVE_DELAY_MS);
    }
    // The teacher arrives as a run event before the variants run, so compare with the last one
    // saved rather than with the previous state: a run that ends saves a teacher it has not yet.
    const finished = s.run.status === 'done' && prev.run.status !== 'done';
    if (finished && s.teacher && s.teacher !== savedTeacher) {
      savedTeacher = s.teacher;
      void saveTeacher(s.experiment);
    }
    if (pendingTeacher && s.backend.status === 'ready' && s.dataset.status === 'ready') {
      const meta = pendingTeacher;
      pendingTeacher = null;
      void loadTeacher(meta);
    }
  });
  stop = () => {
    unsubscribe();
    savedTeacher = null;
    if (timer) clearTimeout(timer);
    stop = null;
  };
  return stop;
}

/** Deletes everything this app stored (session, teacher weights, backend choice). */
export async function clearStoredData(): Promise<void> {
  clearBackendChoice();
  pendingTeacher = null;
  try {
    await withStore('readwrite', (s) => s.clear());
    if (typeof indexedDB !== 'undefined') {
      // A connection still open elsewhere blocks deletion: do not wait for it forever.
      const deleted = request(indexedDB.deleteDatabase(TFJS_DB));
      await Promise.race([deleted, new Promise((r) => setTimeout(r, 2000))]);
    }
    notify('info', 'Stored data cleared: a reload starts fresh (a new run is saved again).');
  } catch (error) {
    notify(
      'error',
      `Could not clear the stored data: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
