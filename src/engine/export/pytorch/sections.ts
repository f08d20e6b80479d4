/**
 * The Python the exported script is made of, as real .py files beside this one (read as text by
 * the bundler): shared sections first, then one section per technique, then main. Each section is
 * a fragment of the one script, not a module of its own.
 */
import coreSection from './python/core.py?raw';
import dataSection from './python/data.py?raw';
import distillSection from './python/distill.py?raw';
import finetuneSection from './python/finetune.py?raw';
import importsSection from './python/imports.py?raw';
import lowrankSection from './python/lowrank.py?raw';
import mainSection from './python/main.py?raw';
import modelSection from './python/model.py?raw';
import ptqSection from './python/ptq.py?raw';
import pruneSection from './python/prune.py?raw';
import qatSection from './python/qat.py?raw';
import quantSection from './python/quant.py?raw';
import reportSection from './python/report.py?raw';
import shareSection from './python/share.py?raw';
import sizeSection from './python/size.py?raw';
import trainSection from './python/train.py?raw';
import type { Stage } from './deps';

/** A technique id of the experiment schema ('ptq', 'prune', …). */
export type TechniqueId = Stage['technique'];

/** The imports, which come right after the script's docstring. */
export const IMPORTS_SECTION = importsSection;

/** Sections every script holds, in order, after the experiment block. */
export const SHARED_SECTIONS: readonly string[] = [
  coreSection,
  dataSection,
  modelSection,
  sizeSection,
  trainSection,
];

/** Quantization grids, fake-quant modules and observers: needed by PTQ and QAT. */
export const QUANT_SECTION = quantSection;

/** The stage implementations (Python functions run_<technique>), by technique id. */
export const TECHNIQUE_SECTIONS: Readonly<Record<TechniqueId, string>> = {
  finetune: finetuneSection,
  ptq: ptqSection,
  qat: qatSection,
  prune: pruneSection,
  distill: distillSection,
  lowrank: lowrankSection,
  share: shareSection,
};

/** Measuring, the table and the results JSON; then the entry point. */
export const CLOSING_SECTIONS: readonly string[] = [reportSection, mainSection];

/** The sections of a script whose variants use `techniques`, in script order. */
export function scriptSections(techniques: ReadonlySet<TechniqueId>): string[] {
  const order: TechniqueId[] = ['finetune', 'ptq', 'qat', 'prune', 'distill', 'lowrank', 'share'];
  const quant = techniques.has('ptq') || techniques.has('qat') ? [QUANT_SECTION] : [];
  return [
    ...SHARED_SECTIONS,
    ...quant,
    ...order.filter((t) => techniques.has(t)).map((t) => TECHNIQUE_SECTIONS[t]),
    ...CLOSING_SECTIONS,
  ];
}
