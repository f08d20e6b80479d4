import type { ArchitectureSpec } from '../../experiment/schema';
import { ACTIVATIONS, cnnSchema, isImageDataset, mlpSchema } from '../../experiment/schema';
import type { DatasetId } from '../../experiment/schema';
import { ListField } from '../common/ListField';
import { NumberField } from '../common/NumberField';
import { SelectField } from '../common/SelectField';

interface Props {
  value: ArchitectureSpec;
  datasetId: DatasetId;
  disabled?: boolean;
  onChange: (spec: ArchitectureSpec) => void;
}

function widthProblem(
  values: number[],
  max: number,
  maxLayers: number,
  what: string,
): string | null {
  if (values.length > maxLayers) return `At most ${maxLayers} ${what} layers.`;
  const bad = values.find((v) => v < 1 || v > max);
  return bad === undefined ? null : `Each width must be between 1 and ${max} (got ${bad}).`;
}

/** Kind (MLP or CNN), layer widths and activation of a network. */
export function ArchitectureEditor({ value, datasetId, disabled, onChange }: Props) {
  const images = isImageDataset(datasetId);
  const kernel = value.kind === 'cnn' ? (value.convs[0]?.kernel ?? 3) : 3;
  return (
    <div className="field-grid">
      <SelectField
        label="Network"
        value={value.kind}
        disabled={disabled}
        testId="arch-kind"
        options={[
          { value: 'mlp', label: 'MLP (dense layers)' },
          ...(images ? [{ value: 'cnn' as const, label: 'CNN (conv + pool, then dense)' }] : []),
        ]}
        onChange={(kind) =>
          onChange(
            kind === 'mlp'
              ? mlpSchema.parse({ kind: 'mlp', activation: value.activation })
              : cnnSchema.parse({
                  kind: 'cnn',
                  convs: [{ filters: 16 }, { filters: 32 }],
                  activation: value.activation,
                }),
          )
        }
      />
      <SelectField
        label="Activation"
        value={value.activation}
        disabled={disabled}
        testId="arch-activation"
        options={ACTIVATIONS.map((a) => ({ value: a, label: a }))}
        onChange={(activation) => onChange({ ...value, activation })}
      />
      {value.kind === 'mlp' ? (
        <ListField
          label="Hidden widths"
          value={value.hidden}
          disabled={disabled}
          testId="mlp-hidden"
          hint="Units per hidden layer, e.g. 32, 32"
          validate={(v) => widthProblem(v, 1024, 6, 'hidden')}
          onCommit={(hidden) => onChange({ ...value, hidden })}
        />
      ) : (
        <>
          <ListField
            label="Conv filters"
            value={value.convs.map((c) => c.filters)}
            disabled={disabled}
            testId="cnn-filters"
            hint="Filters per conv block (each: conv → pool 2×2)"
            validate={(v) =>
              v.length === 0
                ? 'A CNN needs at least one conv block.'
                : widthProblem(v, 128, 4, 'conv')
            }
            onCommit={(filters) =>
              onChange({ ...value, convs: filters.map((f) => ({ filters: f, kernel })) })
            }
          />
          <NumberField
            label="Kernel size"
            value={kernel}
            schema={cnnSchema.shape.convs.unwrap().element.shape.kernel.unwrap()}
            step={1}
            disabled={disabled}
            onCommit={(k) =>
              onChange({ ...value, convs: value.convs.map((c) => ({ ...c, kernel: k })) })
            }
          />
          <ListField
            label="Dense widths"
            value={value.dense}
            disabled={disabled}
            testId="cnn-dense"
            hint="Units of the dense layers after flatten"
            validate={(v) => widthProblem(v, 1024, 4, 'dense')}
            onCommit={(dense) => onChange({ ...value, dense })}
          />
        </>
      )}
    </div>
  );
}
