import { beforeEach, describe, expect, it, vi } from 'vitest';

const engine = { init: vi.fn(), loadDataset: vi.fn() };
const listeners: (() => void)[] = [];
vi.mock('./engine-client', () => ({
  getEngine: () => engine,
  engineIfStarted: () => engine,
  restartEngine: vi.fn(),
  callback: <T>(f: T) => f,
  onEngineStopped: (listener: () => void) => {
    listeners.push(listener);
    return () => {};
  },
}));
const reloadSavedTeacher = vi.fn();
vi.mock('./persist', () => ({ reloadSavedTeacher }));

const { startRecovery, STOPPED_AGAIN_NOTICE, STOPPED_DURING_RUN_NOTICE, STOPPED_NOTICE } =
  await import('./recovery');
const { engineRestart } = await import('./actions');
const { useStore } = await import('./store');

const info = { active: 'wasm', available: ['wasm', 'cpu'], notices: [] };
const dataset = {
  id: 'moons',
  trainCount: 1,
  validationCount: 0,
  testCount: 1,
  numClasses: 2,
  classNames: [],
  inputShape: [2],
  preview: { kind: 'points', points: [], classNames: [] },
};
/** The worker stops on its own: what engine-client does when its lock or watchdog says so. */
const stop = () => listeners.forEach((l) => l());

describe('recovery after the engine worker stopped', () => {
  startRecovery();

  beforeEach(() => {
    engine.init.mockReset().mockResolvedValue(info);
    engine.loadDataset.mockReset().mockResolvedValue(dataset);
    reloadSavedTeacher.mockReset().mockResolvedValue(false);
    useStore.setState((s) => ({
      notices: [],
      experiment: { ...s.experiment, backend: 'wasm' },
      run: { status: 'idle', steps: [], epochs: [], error: null },
      backend: { status: 'ready', info: info as never, error: null },
    }));
  });

  it('during a run: says so with “Run again”, restarts on the same backend, reloads the teacher', async () => {
    useStore.setState({ run: { status: 'running', steps: [], epochs: [], error: null } });
    const results = [{ variant: 'int8' } as never];
    useStore.setState({ results });
    stop();
    const notices = useStore.getState().notices;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'error', text: STOPPED_DURING_RUN_NOTICE });
    expect(notices[0]!.action).toBe('rerun');
    expect(notices[0]!.text).toMatch(/engine stopped .*kept.*Run again/);
    // Runs wait for the restart.
    const restart = engineRestart();
    expect(restart).not.toBeNull();
    await restart;
    expect(engine.init).toHaveBeenCalledWith('wasm', null);
    expect(engine.loadDataset).toHaveBeenCalledTimes(1);
    expect(reloadSavedTeacher).toHaveBeenCalledTimes(1);
    expect(engineRestart()).toBeNull();
    const state = useStore.getState();
    expect(state.backend.status).toBe('ready');
    expect(state.dataset.status).toBe('ready');
    expect(state.results).toBe(results);
  });

  it('while idle: says so without offering a rerun', async () => {
    stop();
    expect(useStore.getState().notices).toEqual([
      expect.objectContaining({ kind: 'error', text: STOPPED_NOTICE }),
    ]);
    expect(useStore.getState().notices[0]!.action).toBeUndefined();
    await engineRestart();
    expect(engine.init).toHaveBeenCalledTimes(1);
  });

  it('gives up, with a notice to reload, when the fresh engine stops too', async () => {
    let started: () => void = () => {};
    engine.init.mockReturnValue(new Promise((r) => (started = () => r(info))));
    stop();
    stop();
    expect(useStore.getState().notices.map((n) => n.text)).toEqual([
      STOPPED_NOTICE,
      STOPPED_AGAIN_NOTICE,
    ]);
    expect(engine.init).toHaveBeenCalledTimes(1);
    started();
    await engineRestart();
    // Once the restart is over, a later stop is handled again.
    stop();
    expect(useStore.getState().notices).toHaveLength(3);
    await engineRestart();
    expect(engine.init).toHaveBeenCalledTimes(2);
  });
});
