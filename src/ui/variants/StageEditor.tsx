import type { z } from 'zod';
import type { Stage } from '../../experiment/stages';
import {
  distillParams,
  finetuneParams,
  lowrankParams,
  ptqParams,
  pruneParams,
  qatParams,
} from '../../experiment/stages';
import { setStageParam } from '../../store/variant-actions';
import { NumberField } from '../common/NumberField';
import { paramFields } from '../common/paramFields';
import { SelectField } from '../common/SelectField';
import { PARAM_LABELS } from './labels';

const SCHEMAS: Record<Stage['technique'], z.ZodObject> = {
  finetune: finetuneParams,
  ptq: ptqParams,
  qat: qatParams,
  prune: pruneParams,
  distill: distillParams,
  lowrank: lowrankParams,
};

/** Every parameter of a stage, as validated fields. */
export function StageEditor({
  variantId,
  index,
  stage,
  disabled,
}: {
  variantId: string;
  index: number;
  stage: Stage;
  disabled: boolean;
}) {
  const values = stage.params as Record<string, unknown>;
  return (
    <div className="field-grid stage-editor" data-testid="stage-editor">
      {paramFields(SCHEMAS[stage.technique]).map((field) => {
        const label = PARAM_LABELS[field.key]?.label ?? field.key;
        const hint = PARAM_LABELS[field.key]?.hint;
        const set = (value: unknown) => setStageParam(variantId, index, field.key, value);
        const testId = `param-${field.key}`;
        if (field.kind === 'number') {
          return (
            <NumberField
              key={field.key}
              label={label}
              hint={hint}
              value={values[field.key] as number}
              schema={field.schema}
              step={field.integer ? 1 : 'any'}
              disabled={disabled}
              testId={testId}
              onCommit={set}
            />
          );
        }
        if (field.kind === 'enum') {
          return (
            <SelectField
              key={field.key}
              label={label}
              value={values[field.key] as string}
              options={field.options.map((o) => ({ value: o, label: o }))}
              disabled={disabled}
              testId={testId}
              onChange={set}
            />
          );
        }
        return (
          <label key={field.key} className="checkbox-field">
            <input
              type="checkbox"
              checked={values[field.key] as boolean}
              disabled={disabled}
              data-testid={testId}
              onChange={(e) => set(e.target.checked)}
            />
            {label}
          </label>
        );
      })}
    </div>
  );
}
