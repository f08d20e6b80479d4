import { beforeEach, describe, expect, it, vi } from 'vitest';

const engine = {
  runAll: vi.fn(),
  init: vi.fn(),
  loadDataset: vi.fn(),
  releaseModels: vi.fn(),
};
vi.mock('./engine-client', () => ({
  getEngine: () => engine,
  engineIfStarted: () => engine,
  restartEngine: vi.fn(),
  callback: <T>(f: T) => f,
}));

const { runAll } = await import('./run-actions');
const { useStore } = await import('./store');
const { loadPreset } = await import('./actions');
const { ENGINE_STOPPED_ERROR, ENGINE_STOPPED_MESSAGE } = await import('./watchdog');

describe('loadPreset', () => {
  it('clears the old results and frees the old models in the worker', () => {
    engine.releaseModels.mockReset().mockResolvedValue(undefined);
    engine.loadDataset.mockReset().mockReturnValue(new Promise(() => {}));
    useStore.setState({ results: [{ variant: 'x' } as never], presetId: 'spiral-mlp' });
    loadPreset('moons-tiny');
    const state = useStore.getState();
    expect(state.presetId).toBe('moons-tiny');
    expect(state.results).toEqual([]);
    expect(engine.releaseModels).toHaveBeenCalledTimes(1);
  });
});

describe('runAll when the backend fails mid-run', () => {
  beforeEach(() => {
    engine.runAll.mockReset();
    engine.init.mockReset();
    engine.loadDataset.mockReset();
    useStore.setState({
      backend: {
        status: 'ready',
        info: { active: 'wasm', available: ['wasm', 'cpu'], notices: [] },
        error: null,
      },
      notices: [],
      run: { status: 'idle', steps: [], epochs: [], error: null },
    });
  });

  it('switches to the cpu backend with a message, keeping the experiment', async () => {
    const before = useStore.getState().experiment;
    engine.runAll.mockRejectedValue(new Error('kernel Conv2DBackpropFilter failed'));
    engine.init.mockResolvedValue({ active: 'cpu', available: ['wasm', 'cpu'], notices: [] });
    engine.loadDataset.mockResolvedValue({
      id: 'spiral',
      trainCount: 1,
      validationCount: 0,
      testCount: 1,
      numClasses: 3,
      classNames: [],
      inputShape: [2],
      preview: { kind: 'points', points: [], classNames: [] },
    });
    await runAll();
    const state = useStore.getState();
    expect(state.run.status).toBe('error');
    expect(state.notices.map((n) => n.text).join(' ')).toMatch(
      /wasm backend failed .*Switched to the cpu backend/,
    );
    expect(engine.init).toHaveBeenCalledWith('cpu', null);
    expect(state.backend.info?.active).toBe('cpu');
    expect(state.experiment.dataset).toEqual(before.dataset);
    expect(state.experiment.backend).toBe('cpu');
  });

  it('does not switch for a diverging loss (the user’s settings, not the backend)', async () => {
    const diverged = Object.assign(new Error('loss became NaN'), { name: 'TrainingDivergedError' });
    engine.runAll.mockRejectedValue(diverged);
    await runAll();
    expect(engine.init).not.toHaveBeenCalled();
    expect(useStore.getState().backend.info?.active).toBe('wasm');
  });

  it('fails the run with a clear message when the worker stops, keeping the results shown', async () => {
    const shown = [{ variant: 'int8', accuracy: 0.8 } as never];
    const teacher = { key: 'k', accuracy: 0.9 } as never;
    useStore.setState({ results: shown, teacher, predictions: {}, curves: {} });
    const stopped = Object.assign(new Error(ENGINE_STOPPED_MESSAGE), {
      name: ENGINE_STOPPED_ERROR,
    });
    engine.runAll.mockImplementation(async () => {
      // The run had cleared the table for its own rows when the worker died.
      expect(useStore.getState().results).toEqual([]);
      throw stopped;
    });
    await runAll();
    const state = useStore.getState();
    expect(state.run.status).toBe('error');
    expect(state.run.error).toMatch(/^The run stopped: The compute engine stopped .*kept/);
    expect(state.results).toEqual(shown);
    expect(state.teacher).toBe(teacher);
    expect(engine.init).not.toHaveBeenCalled();
    expect(state.backend.info?.active).toBe('wasm');
  });

  it('does not switch for a dataset that could not be downloaded (the network, not the backend)', async () => {
    const failed = Object.assign(
      new Error('could not download dataset file /data/x (network error)'),
      {
        name: 'DatasetFileError',
      },
    );
    engine.runAll.mockRejectedValue(failed);
    await runAll();
    expect(engine.init).not.toHaveBeenCalled();
    expect(useStore.getState().run.error).toMatch(/could not download dataset file/);
    expect(useStore.getState().backend.info?.active).toBe('wasm');
  });
});
