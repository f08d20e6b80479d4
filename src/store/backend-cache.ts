// Remembers, per device (this browser profile), which backend "auto" measured fastest.
import type { MeasuredChoice } from '../worker/protocol';

const KEY = 'compression-playground/backend-choice/v1';

/** The remembered choice, if any and well-formed. */
export function readBackendChoice(
  storage: Pick<Storage, 'getItem'> = localStorage,
): MeasuredChoice | null {
  try {
    const raw = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<MeasuredChoice> | null;
    if (!raw || typeof raw.backend !== 'string' || typeof raw.samplesPerSec !== 'number')
      return null;
    if (!['webgpu', 'webgl', 'wasm', 'cpu'].includes(raw.backend)) return null;
    return { backend: raw.backend as MeasuredChoice['backend'], samplesPerSec: raw.samplesPerSec };
  } catch {
    return null;
  }
}

/** Stores the choice; a full or disabled storage just means measuring again next time. */
export function writeBackendChoice(
  choice: MeasuredChoice,
  storage: Pick<Storage, 'setItem'> = localStorage,
): void {
  try {
    storage.setItem(KEY, JSON.stringify(choice));
  } catch {
    // Not worth bothering the user: the only cost is a second measurement.
  }
}

/** Forgets the choice so the next start measures again. */
export function clearBackendChoice(storage: Pick<Storage, 'removeItem'> = localStorage): void {
  try {
    storage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}
