// zod's settings before any schema is used, then the base styles (component styles come after).
import './experiment/zod-config';
import './ui/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { startEngine } from './store/actions';
import { crashEngine, getEngine } from './store/engine-client';
import { startLessonFromLocation } from './store/lesson-actions';
import { restoreFromLocation } from './store/link-actions';
import { startAddressBar } from './store/address-bar';
import { restorePersisted, startPersistence } from './store/persist';
import { startRecovery } from './store/recovery';
import { runAll } from './store/run-actions';
import { useStore } from './store/store';

// Debugging and automation hook: the store, the engine (e.g. `await playground.engine().memory()`)
// and `playground.crashEngine()`, which ends the worker unannounced, as a crash would.
(window as unknown as { playground?: unknown }).playground = {
  store: useStore,
  engine: getEngine,
  crashEngine,
};
// A worker that dies or hangs is replaced, and the page says so.
startRecovery();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
const { autorun } = restoreFromLocation();
// Before the engine starts, so a lesson's dataset is the one that loads.
startLessonFromLocation();
void restorePersisted()
  .then(() => {
    startPersistence();
    // From now on the address bar follows the page (and Back returns to earlier experiments).
    startAddressBar();
    return startEngine();
  })
  .then(() => {
    if (autorun) void runAll();
  });
