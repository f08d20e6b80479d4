import { useEffect, useMemo, useState } from 'react';
import {
  Bar,
  BarChart,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartGrid } from '../../../ui/common/ChartGrid';
import { loadTemperature, useInspectStore } from '../../../store/inspect-actions';
import { useStore } from '../../../store/store';
import type { TemperatureData } from '../../../worker/protocol';
import { SelectField } from '../../../ui/common/SelectField';
import { colourOf } from '../../../ui/palette';
import { xTitle, Y_AXIS_WIDTH, yTitle } from '../../../ui/views/axes';
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
    <figure data-testid={`chart-softmax-${who}`}>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 18, left: 4 }}>
          <ChartGrid strokeDasharray="3 3" vertical={false} />
          <XAxis interval={0} dataKey="cls" label={xTitle('class')} />
          <YAxis interval={0} width={Y_AXIS_WIDTH} domain={[0, 1]} label={yTitle('probability')} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend verticalAlign="top" height={24} itemSorter={null} />
          {SHOWN_TEMPERATURES.map((t, i) => (
            <Bar
              key={t}
              dataKey={`T${t}`}
              name={`T=${t}`}
              fill={colourOf(i)}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <figcaption>
        {who === 'teacher' ? 'Teacher' : 'Distilled student'}: softmax(z/T) per class. Raising T
        lifts the small probabilities, showing which wrong classes the model finds similar: the
        &ldquo;dark knowledge&rdquo; distillation passes on.
      </figcaption>
    </figure>
  );
}

function EntropyChart({ data }: { data: TemperatureData }) {
  const rows = useMemo(() => entropyRows(data), [data]);
  const maxEntropy = Math.log(Math.max(2, data.teacherLogits.length));
  return (
    <figure data-testid="chart-entropy">
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 18, left: 4 }}>
          <ChartGrid strokeDasharray="3 3" />
          <XAxis
            interval={0}
            dataKey="temperature"
            type="number"
            domain={['dataMin', 'dataMax']}
            label={xTitle('temperature T')}
          />
          <YAxis
            interval={0}
            width={Y_AXIS_WIDTH}
            domain={[0, Number(maxEntropy.toFixed(2))]}
            tickFormatter={(v: number) => v.toFixed(2)}
            label={yTitle('entropy (nats)')}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend verticalAlign="top" height={24} itemSorter={null} />
          <ReferenceLine y={maxEntropy} stroke="#5b6573" strokeDasharray="2 2" />
          <Line
            dataKey="teacher"
            name="teacher"
            stroke={colourOf(0)}
            dot={false}
            isAnimationActive={false}
          />
          {data.student && (
            <Line
              dataKey="student"
              name="student"
              stroke={colourOf(1)}
              dot={false}
              isAnimationActive={false}
            />
          )}
        </LineChart>
      </ResponsiveContainer>
      <figcaption>
        Entropy of softmax(z/T) rises towards ln C = {maxEntropy.toFixed(2)} nats (dashed, uniform)
        as T grows: too high a T washes out what the teacher knows.
      </figcaption>
    </figure>
  );
}
