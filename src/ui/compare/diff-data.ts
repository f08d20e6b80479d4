// Data the variant diff fetches from the worker on demand: test labels and the teacher's
// predictions (once per teacher), and the few test examples on show. Kept apart from the main
// store: derived, and only the diff reads it.
import { create } from 'zustand';
import { getEngine } from '../../store/engine-client';
import type { TeacherResult, TestSamples } from '../../worker/protocol';

export interface DiffData {
  /** The teacher result the labels and predictions below belong to. */
  forTeacher: TeacherResult | null;
  labels: Uint8Array | null;
  teacherPredictions: Uint8Array | null;
  /** Fetched test examples, with the indices (joined by ',') they are. */
  samples: { key: string; data: TestSamples } | null;
  error: string | null;
}

export const useDiffData = create<DiffData>(() => ({
  forTeacher: null,
  labels: null,
  teacherPredictions: null,
  samples: null,
  error: null,
}));

let baseRequest = 0;
let samplesRequest = 0;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Fetches test labels and teacher predictions for `teacher`; only the newest request lands. */
export async function loadDiffBase(teacher: TeacherResult): Promise<void> {
  const request = ++baseRequest;
  useDiffData.setState({
    forTeacher: teacher,
    labels: null,
    teacherPredictions: null,
    error: null,
  });
  try {
    const engine = getEngine();
    const [labels, teacherPredictions] = await Promise.all([
      engine.testLabels(),
      engine.teacherPredictions(),
    ]);
    if (request !== baseRequest) return;
    useDiffData.setState({ labels, teacherPredictions });
  } catch (error) {
    if (request !== baseRequest) return;
    useDiffData.setState({ error: `Could not read the test predictions: ${messageOf(error)}` });
  }
}

/** Fetches the test examples at `indices` (≤ 64) for the disagreement grid. */
export async function loadDiffSamples(indices: number[]): Promise<void> {
  const request = ++samplesRequest;
  const key = indices.join(',');
  try {
    const samples = await getEngine().testSamples(indices);
    if (request !== samplesRequest) return;
    useDiffData.setState({ samples: { key, data: samples } });
  } catch (error) {
    if (request !== samplesRequest) return;
    useDiffData.setState({ error: `Could not read the test examples: ${messageOf(error)}` });
  }
}
