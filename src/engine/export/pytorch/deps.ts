/**
 * The one place this folder imports the rest of the app from (pure modules only: the generator
 * runs anywhere, tfjs-free). Re-point these lines when the experiment modules move.
 */
export type { ArchitectureSpec, Experiment } from '../../../experiment/schema';
export { experimentSchema, inputShapeOf, isImageDataset } from '../../../experiment/schema';
export type { Stage, Variant } from '../../../experiment/stages';
export { techniqueOf } from '../../../techniques/registry';
export { expandVariants } from '../../../experiment/expand';
