import type { ComponentType } from 'react';
import { setTab } from '../store/actions';
import { useStore } from '../store/store';
import type { AppState } from '../store/store';
import { ErrorBoundary } from './common/ErrorBoundary';
import { Notices } from './common/Notices';
import { ResultsTable } from './compare/ResultsTable';
import { DatasetCard } from './data/DatasetCard';
import { TeacherCard } from './model/TeacherCard';
import { LessonPanel } from './lessons/LessonPanel';
import { SensitivityPanel } from '../techniques/prune/views/SensitivityPanel';
import { MixedPrecisionPanel } from '../techniques/quantize/views/MixedPrecisionPanel';
import { ShareCard } from './share/ShareCard';
import { TopBar } from './topbar/TopBar';
import { TrainingPanel } from './train/TrainingPanel';
import { VariantsCard } from './variants/VariantsCard';
import { TechniqueViews } from './views/TechniqueViews';
import './App.css';

const TABS: { id: AppState['tab']; label: string }[] = [
  { id: 'experiment', label: 'Experiment' },
  { id: 'live', label: 'Training' },
  { id: 'results', label: 'Compare' },
];

/** The three columns, left to right, each a list of parts (an error in one shows in its place). */
const COLUMNS: { id: AppState['tab']; parts: [area: string, Part: ComponentType][] }[] = [
  {
    id: 'experiment',
    parts: [
      ['dataset', DatasetCard],
      ['teacher', TeacherCard],
      ['variants', VariantsCard],
    ],
  },
  {
    id: 'live',
    parts: [
      ['lesson', LessonPanel],
      ['training', TrainingPanel],
      ['technique views', TechniqueViews],
      ['sensitivity', SensitivityPanel],
      ['mixed precision', MixedPrecisionPanel],
    ],
  },
  {
    id: 'results',
    parts: [
      ['compare', ResultsTable],
      ['share', ShareCard],
    ],
  },
];

/** The one page: experiment on the left, what is happening in the centre, compare on the right. */
export function App() {
  const tab = useStore((s) => s.tab);
  return (
    <div className="app" data-tab={tab}>
      <TopBar />
      <Notices />
      <nav className="tabs" role="tablist" aria-label="Sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            data-testid={`tab-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </nav>
      <main className="columns">
        {COLUMNS.map((column) => (
          <div key={column.id} className={`column column-${column.id}`}>
            {column.parts.map(([area, Part]) => (
              <ErrorBoundary key={area} area={area}>
                <Part />
              </ErrorBoundary>
            ))}
          </div>
        ))}
      </main>
    </div>
  );
}
