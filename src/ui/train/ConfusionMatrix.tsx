import { MAX_SHADE_ALPHA } from '../compare/diff';
import { memo } from 'react';
import { ConfusionTable } from '../common/ConfusionTable';
import { Figure } from '../figure/Figure';
import { PALETTE, withAlpha } from '../palette';

/** Counts of (true class, predicted class): the diagonal is right, the rest shows what gets confused. */
export const ConfusionMatrix = memo(function ConfusionMatrix({
  confusion,
  classNames,
}: {
  confusion: number[];
  classNames: string[];
}) {
  const n = classNames.length;
  const rowTotals = classNames.map((_, r) =>
    confusion.slice(r * n, r * n + n).reduce((a, b) => a + b, 0),
  );
  return (
    <Figure
      className="confusion"
      caption="Rows are true classes; blue on the diagonal is correct, orange off it shows confusions."
    >
      <ConfusionTable
        testId="confusion-matrix"
        values={confusion}
        classNames={classNames}
        shade={(count, r, p) => {
          const share = rowTotals[r] ? count / rowTotals[r]! : 0;
          return {
            // Right answers in blue, confusions in vermillion, by share of the true class.
            background: withAlpha(r === p ? PALETTE[0] : PALETTE[4], share * MAX_SHADE_ALPHA),
          };
        }}
      />
    </Figure>
  );
});
