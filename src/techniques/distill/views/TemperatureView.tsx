import { useEffect, useMemo, useState } from 'react';
import { ReferenceLine } from 'recharts';
import { loadTemperature, useInspectStore } from '../../../store/inspect-actions';
import { useStore } from '../../../store/store';
import type { TemperatureData } from '../../../worker/protocol';
import { SelectField } from '../../../ui/common/SelectField';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { barSeries, lineSeries } from '../../../ui/figure/series';
import { CHART_INK, colourOf } from '../../../ui/palette';
import { entropyRows, SHOWN_TEMPERATURES, softmaxRows } from '../../../ui/views/view-data';

const EXAMPLES = Array.from({ length: 32 }, (_, i) => ({ value: String(i), label: `#${i}` }));

/** softmax(z/T) of one test example at several T, teacher beside a distilled student. */
export function TemperatureView({ students }: { students: { value: string; label: string }[] }) {
  const teacher = useStore((s) => s.teacher);
  const classNames = useStore((s) => s.dataset.info?.classNames ?? []);
  const fetched = useInspectStore((s) => s.temperature);
  const [index, setIndex] = useState(0);
  const [student, setStudent] = useState('');
  const chosen = students.some((s) => s.value === student) ? student : '';

  useEffect(() => {
    void loadTemperature(index, chosen || null);
  }, [index, chosen, teacher]);

  const data = fetched.data;
  return (
    <div className="views-charts" data-testid="views-temperature">
      <div className="field-grid">
        <SelectField
          label="Test example"
          value={String(index)}
          options={EXAMPLES}
          onChange={(v) => setIndex(Number(v))}
          testId="views-example"
        />
        <SelectField
          label="Compare with"
          value={chosen}
          options={[{ value: '', label: 'teacher only' }, ...students]}
          onChange={setStudent}
          disabled={students.length === 0}
          testId="views-student"
        />
      </div>
      {fetched.status === 'loading' && !data && <p className="muted">Computing…</p>}
      {fetched.status === 'error' && (
        <p className="views-error" role="alert" data-testid="views-error">
          {fetched.error}
        </p>
      )}
      {data && (
        <>
          <p className="muted">
            True class: {classNames[data.label] ?? data.label}. Teacher predicts{' '}
            {classNames[argmax(data.teacherLogits)] ?? argmax(data.teacherLogits)}.
          </p>
          <SoftmaxChart data={data} who="teacher" classNames={classNames} />
          {data.student && <SoftmaxChart data={data} who="student" classNames={classNames} />}
          <EntropyChart data={data} />
        </>
      )}
    </div>
  );
}

function argmax(values: readonly number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] ?? -Infinity)) best = i;
  });
  return best;
}

function SoftmaxChart({
  data,
  who,
  classNames,
}: {
  data: TemperatureData;
  who: 'teacher' | 'student';
  classNames: readonly string[];
}) {
  const rows = useMemo(() => softmaxRows(data, who, classNames), [data, who, classNames]);
  return (
    <Figure
      testId={`chart-softmax-${who}`}
      caption={
        <>
          {who === 'teacher' ? 'Teacher' : 'Distilled student'}: softmax(z/T) per class. Raising T
          lifts the small probabilities, showing which wrong classes the model finds similar: the
          &ldquo;dark knowledge&rdquo; distillation passes on.
        </>
      }
    >
      <Plot
        height={200}
        data={rows}
        grid="horizontal"
        legend
        x={{ dataKey: 'cls', title: 'class' }}
        y={{ domain: [0, 1], title: 'probability' }}
        tooltip={{ value: (v) => v.toFixed(3) }}
      >
        {barSeries(
          SHOWN_TEMPERATURES.map((t, i) => ({
            dataKey: `T${t}`,
            name: `T=${t}`,
            colour: colourOf(i),
          })),
        )}
      </Plot>
    </Figure>
  );
}

function EntropyChart({ data }: { data: TemperatureData }) {
  const rows = useMemo(() => entropyRows(data), [data]);
  const maxEntropy = Math.log(Math.max(2, data.teacherLogits.length));
  return (
    <Figure
      testId="chart-entropy"
      caption={
        <>
          Entropy of softmax(z/T) rises towards ln C = {maxEntropy.toFixed(2)} nats (dashed,
          uniform) as T grows: too high a T washes out what the teacher knows.
        </>
      }
    >
      <Plot
        height={180}
        data={rows}
        legend
        x={{
          dataKey: 'temperature',
          type: 'number',
          domain: ['dataMin', 'dataMax'],
          title: 'temperature T',
        }}
        y={{
          // Rounded up, so the dashed ln C line stays inside the plot.
          domain: [0, Math.ceil(maxEntropy * 100) / 100],
          format: (v) => v.toFixed(2),
          title: 'entropy (nats)',
        }}
        tooltip={{ value: (v) => v.toFixed(3) }}
      >
        <ReferenceLine y={maxEntropy} stroke={CHART_INK.guide} strokeDasharray="2 2" />
        {lineSeries([
          { dataKey: 'teacher', name: 'teacher', colour: colourOf(0) },
          ...(data.student ? [{ dataKey: 'student', name: 'student', colour: colourOf(1) }] : []),
        ])}
      </Plot>
    </Figure>
  );
}
