/**
 * Views a technique adds below its stage editor (e.g. the pruning schedule curve), by technique
 * id. A technique without one needs no line here.
 */
import type { ComponentType } from 'react';
import type { VariantRunState } from '../store/store';
import type { Stage, TechniqueId } from './registry';
import { PruneScheduleExtra } from './prune/views/ScheduleChart';

/** What a stage editor view gets: the stage, where it sits, its variant's run and colour. */
export interface StageViewProps {
  stage: Stage;
  stageIndex: number;
  run: VariantRunState | undefined;
  colour: string;
}

export const STAGE_EDITOR_VIEWS: Partial<Record<TechniqueId, ComponentType<StageViewProps>>> = {
  prune: PruneScheduleExtra,
};
