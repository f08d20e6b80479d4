// The quantization analyzer of one variant, asked of the worker on request and kept until the
// next run (a rerun may change the variant it describes).
import { create } from 'zustand';
import type { QuantAnalysis } from '../../../worker/protocol';
import { getEngine } from '../../../store/engine-client';

export interface AnalyzerState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  analysis: QuantAnalysis | null;
  error: string | null;
}

export const useAnalyzerStore = create<AnalyzerState>(() => ({
  status: 'idle',
  analysis: null,
  error: null,
}));

let request = 0;

/** Runs the analyzer on variant `source` (static PTQ or QAT) of the last run. */
export async function runAnalyzer(source: string): Promise<void> {
  const mine = ++request;
  useAnalyzerStore.setState({ status: 'loading', error: null });
  try {
    const analysis = await getEngine().analyzeQuantization(source);
    if (mine === request) useAnalyzerStore.setState({ status: 'ready', analysis, error: null });
  } catch (error) {
    if (mine !== request) return;
    const text = error instanceof Error ? error.message : String(error);
    useAnalyzerStore.setState({ status: 'error', analysis: null, error: text });
  }
}

/** Forgets the analysis (a new run makes it stale). */
export function resetAnalyzer(): void {
  request++;
  useAnalyzerStore.setState({ status: 'idle', analysis: null, error: null });
}
