import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { NamedLayer } from '../../network/layers';
import { runIntegerModel } from '../../../techniques/quantize/stage/integer-model';
import type { IntegerRecipe } from '../test-support';
import { dense, inputData, integerModelOf, referenceCnn, uniform } from '../test-support';
import { lutMlp, oddCnnCases } from '../browser-check-cases';
import { planWgsl } from './plan';
import type { WgslPlan } from './plan';
import { dot4I8, simulatePlan } from './simulate';

const lutRelu: NamedLayer[] = [...lutMlp.slice(0, 2), dense('logits', 7, 4, 'relu', 35)];

const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('planWgsl: the integer model as the WGSL int8 path runs it', () => {
  it('dot4I8 multiplies signed bytes', () => {
    expect(dot4I8(0x01ff7f80, 0x02030405)).toBe(-128 * 5 + 127 * 4 - 3 + 2);
  });

  const cases: [string, NamedLayer[], number[], IntegerRecipe][] = [
    ...oddCnnCases,
    ['tanh/sigmoid MLP, ReLU logits', lutRelu, [5], {}],
    ['reference CNN w8a7', referenceCnn(), [28, 28, 1], { activationBits: 7 }],
  ];
  for (const [name, layers, shape, recipe] of cases) {
    it(`equals the JS reference bit for bit: ${name}`, async () => {
      const model = await integerModelOf(layers, inputData(shape, 32, 3, 10), recipe);
      const plan = planWgsl(model);
      if ('reason' in plan) throw new Error(plan.reason);
      for (const batch of [1, 3]) {
        const x = uniform(batch * shape.reduce((a, b) => a * b, 1), 40 + batch);
        // Values past the calibrated range too, so clamping is exercised.
        x[0] = -50;
        x[1] = 50;
        expect(bitsOf(simulatePlan(plan as WgslPlan, x, batch))).toEqual(
          bitsOf(runIntegerModel(model, x, batch)),
        );
      }
    }, 60_000);
  }

  it('says why a tanh output stays off the GPU', async () => {
    const model = await integerModelOf(lutMlp, inputData([5], 32, 3, 3));
    expect(planWgsl(model)).toEqual({ reason: expect.stringMatching(/tanh output/) as unknown });
  });
});
