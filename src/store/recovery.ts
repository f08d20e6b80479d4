// When the engine worker dies or hangs (engine-client notices): say so, start a fresh worker on
// the same backend with the same data, and keep the experiment and the results on screen. A run
// that was going fails with its own message (run-actions) and the notice offers to run it again.
import { holdRunsUntil, isBusy, notify, startEngine } from './actions';
import { onEngineStopped } from './engine-client';
import { reloadSavedTeacher } from './persist';
import { ENGINE_STOPPED_MESSAGE } from './watchdog';

/** The notice when the worker stopped under a run (with a “Run again” button). */
export const STOPPED_DURING_RUN_NOTICE = `${ENGINE_STOPPED_MESSAGE} during the run. Your experiment and the results shown are kept, and a fresh engine is starting: press “Run again” to run it again.`;
/** The notice when it stopped while nothing ran. */
export const STOPPED_NOTICE = `${ENGINE_STOPPED_MESSAGE}. Your experiment and results are kept, and a fresh engine is starting.`;
/** The notice when the fresh worker stopped too: no more automatic restarts. */
export const STOPPED_AGAIN_NOTICE =
  'The compute engine stopped again while restarting. Reload the page to start over: your experiment is in the address bar, and your last results come back.';

let restarting = false;

/** Says the engine stopped and starts a fresh one; a second stop while restarting gives up. */
export async function recoverEngine(): Promise<void> {
  if (restarting) return notify('error', STOPPED_AGAIN_NOTICE);
  restarting = true;
  // Called as the worker is found gone, before the run that was going hears of it.
  if (isBusy()) notify('error', STOPPED_DURING_RUN_NOTICE, 'rerun');
  else notify('error', STOPPED_NOTICE);
  const restart = (async () => {
    await startEngine();
    await reloadSavedTeacher();
  })();
  holdRunsUntil(restart);
  try {
    await restart;
  } finally {
    restarting = false;
  }
}

/** Restarts the engine whenever its worker stops on its own; returns the unsubscribe. */
export function startRecovery(): () => void {
  return onEngineStopped(() => void recoverEngine());
}
