// Lessons of the newer techniques: weight sharing and mixed precision.
import type { Lesson } from './lesson-kit';
import { lesson, mnistMlp } from './lesson-kit';

export const NEW_TECHNIQUE_LESSONS: Lesson[] = [
  lesson({
    id: 'weight-sharing',
    title: 'Weight sharing: a few values for a whole layer',
    summary: 'k-means with 2, 3 and 4 bits per weight, with and without centroid fine-tuning',
    experiment: {
      ...mnistMlp('Lesson: weight sharing (k-means)', [64, 32]),
      variants: [
        ...[4, 3, 2].map((bits) => ({
          id: `share-${bits}bit`,
          name: `k-means ${bits}-bit`,
          stages: [{ technique: 'share', params: { bits, finetuneEpochs: 0 } }],
        })),
        {
          id: 'share-2bit-tuned',
          name: 'k-means 2-bit + fine-tune',
          stages: [{ technique: 'share', params: { bits: 2, finetuneEpochs: 2 } }],
        },
        {
          id: 'ptq-2bit',
          name: 'Uniform 2-bit grid',
          stages: [
            {
              technique: 'ptq',
              params: { mode: 'weight-only', weightBits: 2, granularity: 'per-channel' },
            },
          ],
        },
      ],
    },
    paragraphs: [
      'Quantization puts every weight on an evenly spaced grid. Weight sharing lets the data choose the grid instead: the weights of a layer are grouped into k clusters by k-means, and each weight is replaced by its cluster’s centre.',
      'The layer then stores a table of k float values (the codebook) and, for each weight, only the index of its value: log₂ k bits. With k = 16 that is 4 bits per weight plus 64 bytes for the table.',
      'k-means puts more centroids where weights are dense (near zero) and fewer in the tails, so at the same bits it usually loses less than a uniform grid. The “Weight sharing” view draws the centroids on the weight histogram.',
      'Fine-tuning keeps each weight’s cluster but trains the centroids: the gradient of a centroid is the sum of the gradients of all weights that share it. This is how Deep Compression (Han et al., 2016) recovers the accuracy of 2-bit layers.',
    ],
    formulas: [
      {
        label: 'k-means objective',
        tex: '\\min_{c, A} \\sum_i (w_i - c_{A_i})^2, \\quad k = 2^{b}',
      },
      { label: 'Size per layer', tex: 'b \\cdot n \\;\\text{bits} + 32\\, k \\;\\text{bits}' },
      {
        label: 'Centroid gradient',
        tex: '\\frac{\\partial L}{\\partial c_j} = \\sum_{i : A_i = j} \\frac{\\partial L}{\\partial w_i}',
      },
    ],
    tryThis: [
      'Press “Run all”: compare k-means 2-bit with the uniform 2-bit grid at the same size.',
      'Open “What the technique did” → “Weight sharing” on the fine-tuned variant: dashed lines are the k-means centroids, solid ones where fine-tuning moved them.',
      'Set “Index bits” to 6 on a variant: with 64 shared values the network is almost unchanged.',
    ],
  }),
  lesson({
    id: 'mixed-precision',
    title: 'Mixed precision: bits where they matter',
    summary: 'Scan each layer at 8 … 2 bits, then fit a size budget with the least loss',
    experiment: {
      ...mnistMlp('Lesson: mixed precision', [64, 32]),
      variants: [4, 3, 2].map((bits) => ({
        id: `w${bits}`,
        name: `Uniform ${bits}-bit weights`,
        stages: [
          {
            technique: 'ptq',
            params: { mode: 'weight-only', weightBits: bits, granularity: 'per-channel' },
          },
        ],
      })),
    },
    paragraphs: [
      'Layers are not equally fragile. The first layer sees raw pixels and the last one decides the class: squeezing them to 2 bits can cost many points, while a big middle layer barely notices.',
      'The quantization scan measures this: each layer alone is quantized to 8, 6, 4, 3 and 2 bits while the others stay float, and the accuracy drop is recorded, on validation examples the test never sees.',
      'Mixed precision then gives each layer its own bit width. Among all choices that fit the size budget, it picks the one whose drops add up to the least: a small knapsack problem, searched exactly.',
      'The sum of single-layer drops is only a prediction: quantized together the errors interact. Running the variant gives the real accuracy, measured on the shipped integer model like every other row.',
    ],
    formulas: [
      {
        label: 'Allocation',
        tex: '\\min_{b_1..b_L} \\sum_l \\Delta_l(b_l) \\;\\text{ s.t. }\\; \\sum_l S_l(b_l) \\le B',
      },
      {
        label: 'Size of layer l',
        tex: 'S_l(b) \\approx \\frac{b\\, n_l}{8} + 4\\, c_l \\;\\text{bytes}',
      },
    ],
    tryThis: [
      'Press “Run all”, then “Run quantization scan” in the Mixed precision card: which layer’s line climbs first as the bits drop?',
      'Set the size budget to the share of the uniform 3-bit row (its size ÷ the teacher’s) and press “Add as a mixed-precision variant”, then “Run all”: same size, which is more accurate?',
      'Lower the budget until the card says even 2 bits everywhere do not fit: that is the floor of this model.',
    ],
  }),
];
