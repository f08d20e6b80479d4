// Guided lessons: a small experiment, a short explanation, its formulas and what to try.
import type { Lesson } from './lesson-kit';
import { lesson, mnistMlp } from './lesson-kit';
import { NEW_TECHNIQUE_LESSONS } from './lessons-new-techniques';

export type { Lesson } from './lesson-kit';

const ptqAt = (bits: number) => ({
  id: `ptq-${bits}bit`,
  name: `PTQ static ${bits}-bit`,
  stages: [
    {
      technique: 'ptq',
      params: { mode: 'static', weightBits: bits, activationBits: bits, granularity: 'per-tensor' },
    },
  ],
});

const distillAt = (temperature: number, baseline: boolean) => ({
  id: `student-t${temperature}`,
  name: `Student, T = ${temperature}`,
  source: 'student',
  student: { kind: 'mlp', hidden: [16], activation: 'relu' },
  stages: [
    {
      technique: 'distill',
      params: { temperature, alpha: 0.7, epochs: 4, learningRate: 0.005, baseline },
    },
  ],
});

const rankAt = (rank: number) => ({
  id: `rank-${rank}`,
  name: `Low-rank r = ${rank}`,
  stages: [{ technique: 'lowrank', params: { rankMode: 'rank', rank, finetuneEpochs: 0 } }],
});

const pruneWith = (id: string, name: string, params: object) => ({
  id,
  name,
  stages: [{ technique: 'prune', params: { sparsity: 0.9, learningRate: 0.002, ...params } }],
});

/** The guided lessons of the picker, in teaching order. */
export const LESSONS: Lesson[] = [
  lesson({
    id: 'quant-bits',
    title: 'What 8 → 2 bits does to a network',
    summary: 'Static post-training quantization of one MNIST MLP at 8, 6, 4, 3 and 2 bits',
    experiment: {
      ...mnistMlp('Lesson: 8 → 2 bits', [64, 32]),
      variants: [8, 6, 4, 3, 2].map(ptqAt),
    },
    paragraphs: [
      'A trained network stores every weight as a 32-bit float. Quantization keeps only a few levels: with b bits there are 2ᵇ of them, so 8 bits give 256 levels and 2 bits only 4.',
      'Each number x is divided by a scale s, rounded to the nearest integer, shifted by a zero point z and clipped to the range the integer type can hold. To use it again we multiply back. The difference between x and x̂ is the rounding error.',
      'Post-training quantization (PTQ) does this after training, without touching the weights again. "Static" also quantizes the activations, using ranges measured on a few calibration examples.',
      'Watch the results table: size falls by 4× at 8 bits and 16× at 2 bits, but accuracy does not fall evenly. It usually holds at 8 and 6 bits and then drops off a cliff somewhere below 4.',
    ],
    formulas: [
      {
        label: 'Quantize',
        tex: 'q = \\operatorname{clamp}\\!\\left(\\operatorname{round}\\!\\left(\\frac{x}{s}\\right) + z,\\; q_{\\min},\\; q_{\\max}\\right)',
      },
      { label: 'Dequantize', tex: '\\hat{x} = s\\,(q - z)' },
      {
        label: 'Symmetric scale for b bits',
        tex: 's = \\frac{\\max |x|}{2^{b-1} - 1}, \\quad z = 0',
      },
    ],
    tryThis: [
      'Press “Run all” and read the Accuracy and Size columns of the results table: where is the cliff?',
      'Open the 4-bit variant’s PTQ stage and switch “Scales” from per-tensor to per-channel: one scale per output unit often rescues low bit widths.',
      'Set “Activation bits” back to 8 while keeping “Weight bits” at 3: which hurts more, weights or activations?',
      'Try “Range observer” = percentile on the 3-bit variant: clipping rare outliers makes the steps finer for everything else.',
    ],
  }),
  lesson({
    id: 'qat-vs-ptq',
    title: 'QAT vs PTQ at 4 bits',
    summary: 'Quantize after training, or train with the rounding in the loop?',
    experiment: {
      ...mnistMlp('Lesson: QAT vs PTQ at 4 bits', [64, 32]),
      variants: [
        {
          id: 'ptq-w4',
          name: 'PTQ w4a8',
          stages: [
            {
              technique: 'ptq',
              params: { mode: 'static', weightBits: 4, granularity: 'per-tensor' },
            },
          ],
        },
        {
          id: 'qat-w4',
          name: 'QAT w4a8',
          stages: [
            {
              technique: 'qat',
              params: { weightBits: 4, granularity: 'per-tensor', epochs: 2, learningRate: 0.001 },
            },
          ],
        },
        {
          id: 'qat-w4-lsq',
          name: 'QAT w4a8, learned scales',
          stages: [
            {
              technique: 'qat',
              params: {
                weightBits: 4,
                granularity: 'per-tensor',
                learnedScale: true,
                epochs: 2,
                learningRate: 0.001,
              },
            },
          ],
        },
      ],
    },
    paragraphs: [
      'At 4 bits each weight has only 16 possible values. PTQ rounds the finished weights and hopes for the best; the network never saw the rounding while it learned.',
      'Quantization-aware training (QAT) puts a “fake quantizer” in the forward pass: weights are quantized and immediately dequantized, so the loss already feels the rounding error, and training can move weights to places where rounding hurts less.',
      'Rounding has zero gradient almost everywhere, which would stop learning. The straight-through estimator (STE) pretends rounding is the identity in the backward pass, but passes no gradient for values clipped outside the range.',
      'LSQ goes one step further and learns the scale s itself by gradient descent.',
    ],
    formulas: [
      {
        label: 'Fake quantization (forward)',
        tex: '\\hat{x} = s\\left(\\operatorname{clamp}\\!\\left(\\operatorname{round}\\!\\left(\\tfrac{x}{s}\\right) + z,\\, q_{\\min},\\, q_{\\max}\\right) - z\\right)',
      },
      {
        label: 'Straight-through estimator (backward)',
        tex: '\\frac{\\partial L}{\\partial x} \\approx \\frac{\\partial L}{\\partial \\hat{x}} \\cdot \\mathbf{1}\\!\\left[q_{\\min} \\le \\tfrac{x}{s} + z \\le q_{\\max}\\right]',
      },
    ],
    tryThis: [
      'Press “Run all” and compare the accuracy of “PTQ w4a8” and “QAT w4a8”: they have the same size, so any gap is what training bought.',
      'Lower “Weight bits” to 3 or 2 in both variants: the gap between PTQ and QAT usually widens.',
      'Set the QAT “Epochs” to 0 and then 4: how much fine-tuning does QAT need?',
      'Switch “Scales” to per-channel in the PTQ variant: how close does PTQ get to QAT for free?',
      'Open “What the technique did” → Quantization on the PTQ variant and press “Analyze where the accuracy goes”: is it the weights or the activations, and which layer?',
    ],
  }),
  lesson({
    id: 'distill-temperature',
    title: 'Distillation temperature',
    summary:
      'A 16-unit student learns from the teacher at T = 1, 4 and 10, against the same student alone',
    experiment: {
      ...mnistMlp('Lesson: distillation temperature', [128, 64]),
      variants: [distillAt(1, true), distillAt(4, false), distillAt(10, false)],
    },
    paragraphs: [
      'Knowledge distillation trains a small student to copy a big teacher. Besides the true label, the student sees the teacher’s whole probability vector: that a 4 looks a bit like a 9 is useful knowledge the label alone does not carry.',
      'A confident teacher puts almost all its probability on one class, so those hints are tiny. Dividing the logits by a temperature T > 1 before the softmax softens the distribution and makes them visible.',
      'The loss mixes the two signals with α. The T² factor keeps the gradient of the soft part the same size whatever T is.',
      'The T = 1 variant also trains the same student without a teacher (“Also train student alone”), shown as the row “— student alone”: the fair baseline every distilled student must beat.',
    ],
    formulas: [
      { label: 'Softened probabilities', tex: 'p_i(T) = \\frac{e^{z_i/T}}{\\sum_j e^{z_j/T}}' },
      {
        label: 'Distillation loss',
        tex: 'L = \\alpha\\, T^2\\, \\mathrm{KL}\\!\\left(\\operatorname{softmax}(t/T) \\,\\|\\, \\operatorname{softmax}(s/T)\\right) + (1-\\alpha)\\, \\mathrm{CE}(y, s)',
      },
    ],
    tryThis: [
      'Press “Run all” and compare the three students with the “student alone” row: which temperature helps most? On a small, easy problem the gain can be tiny or even negative — that is a result too.',
      'Set “α (teacher weight)” to 0 in one variant: it becomes the baseline again. Set it to 1: the labels are ignored.',
      'Try a temperature of 20 or 50: when does the teacher’s signal become too flat to help?',
      'Make the student smaller (hidden [8]) or larger ([64]): distillation helps most when the student is small.',
      'Set “Relation γ” to 1 on the T = 4 student: it also learns how far apart the teacher puts examples of a batch (relation distillation), not only each example’s answer.',
    ],
  }),
  lesson({
    id: 'prune-schedule',
    title: 'Pruning: one-shot vs gradual',
    summary: 'Remove 90% of the weights at once, or slowly while fine-tuning',
    experiment: {
      ...mnistMlp('Lesson: one-shot vs gradual pruning', [128, 64]),
      variants: [
        pruneWith('one-shot-raw', 'One-shot 90%, no fine-tune', { finetuneEpochs: 0 }),
        pruneWith('one-shot-ft', 'One-shot 90% + fine-tune', { finetuneEpochs: 3 }),
        pruneWith('gradual', 'Gradual 90%', { schedule: 'gradual', finetuneEpochs: 3 }),
        pruneWith('iterative', 'Iterative 90%, 3 rounds', {
          schedule: 'iterative',
          rounds: 3,
          finetuneEpochs: 1,
        }),
      ],
    },
    paragraphs: [
      'Magnitude pruning sets the smallest weights to zero: they contribute least to the output. A mask remembers which weights are gone, so training cannot bring them back.',
      'One-shot pruning removes everything at once. At 90% that is a big shock, and the network needs fine-tuning to recover.',
      'Gradual pruning raises the sparsity step by step while training continues, following a cubic schedule: fast at first, when there are many redundant weights, and slowly at the end, when every weight counts.',
      'Iterative pruning is in between: prune a bit, fine-tune, repeat.',
    ],
    formulas: [
      {
        label: 'Gradual schedule (step t of T)',
        tex: 's_t = s_f + (s_i - s_f)\\left(1 - \\frac{t}{T}\\right)^{3}',
      },
      {
        label: 'Magnitude mask',
        tex: 'm_{ij} = \\mathbf{1}\\!\\left[\\,|w_{ij}| > \\tau\\,\\right], \\quad \\hat{W} = m \\odot W',
      },
    ],
    tryThis: [
      'Press “Run all”: how much accuracy does fine-tuning win back after the one-shot cut?',
      'Raise “Sparsity” to 0.97 in every variant: which schedule still works?',
      'Set “Scope” to global: one threshold for all layers lets the network decide which layers to thin.',
      'Switch “Kind” to structured: whole units are removed, the model really gets smaller and faster, but accuracy suffers more.',
      'With structured pruning, compare “Rank units by” l2 with order (keep the first units, no ranking): how much does choosing units by importance matter? The Pruning view’s lab table shows latency, MACs and parameters before and after.',
    ],
  }),
  lesson({
    id: 'compare-table',
    title: 'The compression comparison table',
    summary: 'One teacher, every technique, one table: accuracy, size and latency side by side',
    experiment: {
      ...mnistMlp('Lesson: the comparison table', [128, 64], 3000, 3),
      variants: [
        {
          id: 'int8-dynamic',
          name: 'INT8 dynamic PTQ',
          stages: [{ technique: 'ptq', params: { mode: 'dynamic' } }],
        },
        {
          id: 'int8-static',
          name: 'INT8 static PTQ',
          stages: [{ technique: 'ptq', params: { mode: 'static' } }],
        },
        { id: 'qat-int8', name: 'QAT int8', stages: [{ technique: 'qat', params: { epochs: 1 } }] },
        pruneWith('pruned-50', '50% pruned + fine-tune', { sparsity: 0.5, finetuneEpochs: 1 }),
        {
          id: 'lowrank-16',
          name: 'Low-rank r = 16',
          stages: [
            { technique: 'lowrank', params: { rankMode: 'rank', rank: 16, finetuneEpochs: 1 } },
          ],
        },
        {
          id: 'distilled',
          name: 'Distilled student',
          source: 'student',
          student: { kind: 'mlp', hidden: [32], activation: 'relu' },
          stages: [
            {
              technique: 'distill',
              params: { temperature: 4, alpha: 0.7, epochs: 3, learningRate: 0.003 },
            },
          ],
        },
      ],
    },
    paragraphs: [
      'Every compression technique trades something. This lesson puts them side by side on the same teacher, measured the same way: top-1 accuracy on the test set, the exact bytes of what you would ship, and the median time for one prediction.',
      'Quantization shrinks every weight; pruning removes weights; low-rank factorization replaces a big matrix by two thin ones; distillation trains a different, smaller network.',
      'Read size and speed separately. A pruned model has many zeros but the same shape, so it is only smaller if stored sparsely and only faster with sparse kernels. Weight-only PTQ runs dequantized in float; dynamic PTQ quantizes the activations of each batch at run time (plain JavaScript integer path); static PTQ and QAT run as integer models on our int8 engine. The note of every row says which path was timed, and its measured speed against the teacher.',
      'The best variant is the one on the Pareto front: no other is both smaller and more accurate.',
    ],
    formulas: [
      {
        label: 'Compression ratio',
        tex: '\\text{ratio} = \\frac{\\text{bytes}_{\\text{FP32}}}{\\text{bytes}_{\\text{variant}}}, \\quad \\text{bytes}_{b\\text{-bit}} = \\left\\lceil \\frac{b \\cdot N}{8} \\right\\rceil + \\text{scales}',
      },
      {
        label: 'Accuracy drop',
        tex: '\\Delta = \\text{acc}_{\\text{teacher}} - \\text{acc}_{\\text{variant}}',
      },
    ],
    tryThis: [
      'Press “Run all”, then sort the results table by size: which variant gives the most compression per point of accuracy lost?',
      'Add a stage to the pruned variant: “prune → PTQ” stacks two techniques. Do the savings multiply?',
      'Switch the dataset to Fashion-MNIST: harder data makes the differences larger.',
    ],
  }),
  lesson({
    id: 'lowrank-rank',
    title: 'Low-rank: how much rank do you need?',
    summary: 'Truncated SVD of the dense layers at rank 2, 4, 8, 16 and 32',
    experiment: {
      ...mnistMlp('Lesson: low-rank factorization', [128, 64]),
      variants: [2, 4, 8, 16, 32].map(rankAt),
    },
    paragraphs: [
      'A dense layer is a matrix W with m × n weights. The singular value decomposition writes it as a sum of rank-one pieces, sorted by importance σ₁ ≥ σ₂ ≥ …',
      'Keeping only the r largest pieces gives the best rank-r approximation. The layer becomes two thinner layers, n → r → m, with (m + n)·r weights instead of m·n: a real saving whenever r is small.',
      'Trained weight matrices are often close to low-rank: a few singular values carry most of the energy. The spectrum view shows how fast they fall.',
      'These variants have no fine-tuning, so you see the raw damage of truncation.',
    ],
    formulas: [
      { label: 'Truncated SVD', tex: 'W \\approx U_r \\Sigma_r V_r^{\\top}' },
      { label: 'Parameters', tex: '(m + n)\\, r \\quad \\text{vs} \\quad m\\, n' },
      {
        label: 'Energy kept',
        tex: 'E(r) = \\frac{\\sum_{i \\le r} \\sigma_i^2}{\\sum_i \\sigma_i^2}',
      },
    ],
    tryThis: [
      'Press “Run all” and find the smallest rank whose accuracy is within one point of the teacher.',
      'Set “Fine-tune epochs” to 2 on the rank-4 variant: how much does a little retraining recover?',
      'Switch “Rank by” to energy with “Energy kept” = 0.9: the rank is then chosen per layer.',
    ],
  }),
  ...NEW_TECHNIQUE_LESSONS,
];

/** The lesson with this id, if any. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
