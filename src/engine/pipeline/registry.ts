import { distillTechnique } from '../techniques/distill';
import { finetuneTechnique } from '../techniques/finetune';
import { lowrankTechnique } from '../techniques/lowrank';
import { ptqTechnique } from '../techniques/ptq';
import { pruneTechnique } from '../techniques/prune';
import { qatTechnique } from '../techniques/qat';
import type { TechniqueRegistry } from './runner';

/** Every technique the URL may name, by id. */
export const TECHNIQUES: TechniqueRegistry = {
  finetune: finetuneTechnique,
  ptq: ptqTechnique,
  qat: qatTechnique,
  prune: pruneTechnique,
  distill: distillTechnique,
  lowrank: lowrankTechnique,
};
