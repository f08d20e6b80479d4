// Data for the technique views ("what the technique did"), fetched from the engine on demand and
// kept apart from the main store: it is derived, large, and only the views read it.
import { create } from 'zustand';
import type { Inspection, TemperatureData } from '../worker/protocol';
import { getEngine } from './engine-client';
import { useStore } from './store';

export interface Fetched<T> {
  status: 'idle' | 'loading' | 'ready' | 'error';
  data: T | null;
  error: string | null;
  /** What was asked for, e.g. "pruned|dense_1" (to skip repeated requests). */
  key: string | null;
}

export interface InspectState {
  inspection: Fetched<Inspection>;
  temperature: Fetched<TemperatureData>;
}

const idle = { status: 'idle', data: null, error: null, key: null } as const;

export const useInspectStore = create<InspectState>(() => ({
  inspection: { ...idle },
  temperature: { ...idle },
}));

let inspectionRequest = 0;
let temperatureRequest = 0;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Fetches the views' data of 'teacher' or a variant id; only the newest request lands. */
export async function loadInspection(source: string, layerName?: string): Promise<void> {
  const request = ++inspectionRequest;
  const key = `${source}|${layerName ?? ''}`;
  useInspectStore.setState((s) => ({
    inspection: { ...s.inspection, status: 'loading', error: null, key },
  }));
  try {
    const data = await getEngine().inspect(source, useStore.getState().experiment, layerName);
    if (request !== inspectionRequest) return;
    useInspectStore.setState({ inspection: { status: 'ready', data, error: null, key } });
  } catch (error) {
    if (request !== inspectionRequest) return;
    useInspectStore.setState({
      inspection: {
        status: 'error',
        data: null,
        error: `Could not read ${source === 'teacher' ? 'the teacher' : `“${source}”`}: ${messageOf(error)}`,
        key,
      },
    });
  }
}

/** Fetches softmax(z/T) of test example `index` for the teacher and, if given, a variant. */
export async function loadTemperature(index: number, variantId: string | null): Promise<void> {
  const request = ++temperatureRequest;
  const key = `${index}|${variantId ?? ''}`;
  useInspectStore.setState((s) => ({
    temperature: { ...s.temperature, status: 'loading', error: null, key },
  }));
  try {
    const data = await getEngine().temperature(index, variantId);
    if (request !== temperatureRequest) return;
    useInspectStore.setState({ temperature: { status: 'ready', data, error: null, key } });
  } catch (error) {
    if (request !== temperatureRequest) return;
    useInspectStore.setState({
      temperature: {
        status: 'error',
        data: null,
        error: `Could not compute the temperature view: ${messageOf(error)}`,
        key,
      },
    });
  }
}

/**
 * Forgets fetched data (a new teacher makes it stale). Requests under way still land: they were
 * made for the new teacher.
 */
export function resetInspection(): void {
  useInspectStore.setState((s) => ({
    inspection: { ...s.inspection, data: null },
    temperature: { ...s.temperature, data: null },
  }));
}
