// A scan of the trained teacher in the worker (pruning or quantization sensitivity): its status,
// progress and table, kept in a small store of its own, stale once the teacher changes.
import type { StoreApi, UseBoundStore } from 'zustand';
import type { TeacherResult } from '../worker/protocol';
import { CANCELLED_ERROR } from '../worker/protocol';
import { isBusy } from './actions';
import { callback, getEngine } from './engine-client';
import { useStore } from './store';

export interface TeacherScanState<T> {
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  /** 0..1 while scanning, with the engine's message. */
  fraction: number;
  message: string;
  table: T | null;
  /** teacherIdentity of the teacher the table was measured on (a new teacher makes it stale). */
  teacher: string | null;
  error: string | null;
}

/** A scan that has not run yet. */
export function idleScan<T>(): TeacherScanState<T> {
  return { status: 'idle', fraction: 0, message: '', table: null, teacher: null, error: null };
}

/** Which trained teacher a table belongs to: its key, teacherKey(experiment), or null. */
export function teacherIdentity(teacher: TeacherResult | null): string | null {
  return teacher ? teacher.key : null;
}

/** The table if it was measured on the teacher trained now, else null. */
export function currentTable<T>(state: TeacherScanState<T>, teacher: TeacherResult | null) {
  return state.table && state.teacher === teacherIdentity(teacher) ? state.table : null;
}

type ScanStore<T> = UseBoundStore<StoreApi<TeacherScanState<T>>>;

/**
 * Runs `scan` (a worker call given a progress callback) on the trained teacher unless a run or
 * this scan is already going; the store follows its progress and ends done, cancelled or with
 * "The <what> failed: …".
 */
export async function runTeacherScan<T>(
  store: ScanStore<T>,
  what: string,
  scan: (onProgress: (fraction: number, message: string) => void) => Promise<T>,
): Promise<void> {
  const { teacher } = useStore.getState();
  if (!teacher || isBusy() || store.getState().status === 'running') return;
  store.setState({ status: 'running', fraction: 0, message: 'Starting the scan…', error: null });
  try {
    const table = await scan(
      callback((fraction: number, message: string) => {
        if (store.getState().status === 'running') store.setState({ fraction, message });
      }),
    );
    store.setState({ status: 'done', fraction: 1, table, teacher: teacherIdentity(teacher) });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const text = error instanceof Error ? error.message : String(error);
    store.setState(
      name === CANCELLED_ERROR
        ? { status: 'cancelled', error: null }
        : { status: 'error', error: `The ${what} failed: ${text}` },
    );
  }
}

/** Stops a running scan (the engine stops between two evaluations). */
export function cancelTeacherScan<T>(store: ScanStore<T>): void {
  if (store.getState().status === 'running') void getEngine().cancel();
}
