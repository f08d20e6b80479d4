import { describe, expect, it } from 'vitest';
import { confusionLabels } from './confusion-labels';

describe('confusionLabels', () => {
  it('keeps short or few class names as column headers', () => {
    const digits = confusionLabels(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(digits.columns).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(digits.rows[3]).toBe('3');
    const moons = confusionLabels(['class 0', 'class 1']);
    expect(moons.columns).toEqual(['class 0', 'class 1']);
    expect(moons.rows).toEqual(['class 0', 'class 1']);
  });

  it('numbers the columns of many long names and says which number is which in the rows', () => {
    const fashion = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt'];
    const labels = confusionLabels(fashion);
    expect(labels.columns).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(labels.rows[0]).toBe('0 T-shirt/top');
    expect(labels.rowHeaderCh).toBe(14);
  });
});
