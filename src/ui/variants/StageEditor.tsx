import type { Stage } from '../../experiment/stages';
import { specOfStage } from '../../techniques/registry';
import { setStageParam } from '../../store/variant-actions';
import { NumberField } from '../common/NumberField';
import { paramFields } from '../common/paramFields';
import { SelectField } from '../common/SelectField';
import '../common/fields.css';

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
  const spec = specOfStage(stage);
  const fields = spec.fields as Record<string, { label: string; hint?: string } | undefined>;
  return (
    <div className="field-grid stage-editor" data-testid="stage-editor">
      {paramFields(spec.params).map((field) => {
        const label = fields[field.key]?.label ?? field.key;
        const hint = fields[field.key]?.hint;
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
