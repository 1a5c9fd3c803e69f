import { arg, LIMITS, objectSchema, type JsonSchema, type LtxType, type Signature } from '../signature.ts';

const weights: LtxType[] = ['init', 'checkpoint', 'run', 'family', 'lottery'];
// The copies' data orders are 1,000,000 + 1000 × seed + copy (compiler/ops.ts): distinct for up to 1000 copies.
const MAX_COPIES = 1000;
const on = arg.ref(['split', 'dataset'], 'evaluation data (a dataset means its test split)');
const probe = (
  name: string, summary: string, positional: string[], props: Record<string, JsonSchema>, required: string[], version = 1,
): Signature => ({
  name, category: 'probe', returns: 'probe', version, positional, summary, schema: objectSchema(props, required),
});

export const probeSignatures: Signature[] = [
  // Version 2: rows also carry `remaining`, the share of prunable weights the mask keeps.
  probe('accuracy', 'Top-1 accuracy (per token for language models). Metrics: accuracy, loss, remaining (share of prunable weights kept).', ['x', 'on'], { x: arg.ref(weights, 'weights to evaluate'), on }, ['x', 'on'], 2),
  probe('loss', 'Mean loss (cross-entropy, or MSE for regression). Metrics: loss, remaining (share of prunable weights kept).', ['x', 'on'], { x: arg.ref(weights, 'weights to evaluate'), on }, ['x', 'on'], 2),
  probe('sparsity', 'Shares of the prunable weights kept (remaining) and removed (sparsity), total and per layer.', ['x'], {
    x: arg.ref([...weights, 'mask'], 'a mask, or weights whose mask is measured'),
  }, ['x']),
  probe('mask_overlap', 'Jaccard overlap |A∧B|/|A∨B| of two masks, total and per layer, with the random-mask baseline d/(2−d). Metrics: jaccard, baseline.', ['a', 'b'], {
    a: arg.ref(['mask', 'run', 'checkpoint', 'family', 'lottery'], 'first mask (a run means the mask it trained under)'),
    b: arg.ref(['mask', 'run', 'checkpoint', 'family', 'lottery'], 'second mask'),
  }, ['a', 'b']),
  probe('mask_distance', 'Early-bird mask distance (You et al. 2020): normalized Hamming distance between the magnitude masks of consecutive checkpoints of RUN @ every N. Metric: hamming.', ['x'], {
    x: arg.ref(['family', 'lottery'], 'checkpoints, usually RUN @ every N'),
    sparsity: arg.fraction('share of the prunable weights removed by each magnitude mask', { exclusiveMaximum: 1, default: 0.5 }),
    scope: arg.oneOf(['global', 'layerwise'], 'how each mask ranks weights', 'global'),
    skip: { type: 'array', items: { type: 'string' }, default: [], description: 'layers left out of the masks' },
  }, ['x']),
  probe('weight_distance', 'L2 distance between two sets of weights and the relative distance ‖A−B‖/‖B‖, total and per layer. Metrics: l2, relative.', ['a', 'b'], {
    a: arg.ref(weights, 'first weights'), b: arg.ref(weights, 'second weights (the reference of relative)'),
  }, ['a', 'b']),
  probe('instability', 'Linear mode connectivity (Frankle et al. 2020): copies trained from the checkpoint (⊙ mask) with different data orders to the end of its run; error along the linear path between them. Metrics: barrier, error at each α.', ['x'], {
    x: arg.ref(['init', 'checkpoint', 'run', 'family', 'lottery'], 'the checkpoint the copies start from (a family: one row per member)'),
    mask: arg.ref(['mask', 'run', 'family', 'lottery'], 'mask applied to the checkpoint'),
    copies: arg.count('number of copies', MAX_COPIES, { minimum: 2, default: 2 }),
    points: arg.count('number of α values in [0, 1]', LIMITS.repeats, { minimum: 2, default: 11 }),
    on,
    like: arg.ref(['run'], 'recipe of the copies (default: the run the checkpoint comes from)'),
    seed: arg.seed('seed from which the copies\' data orders are derived'),
  }, ['x', 'on']),
  probe('linearization', 'Distance of a trained net from its tangent model at INIT, f(θ0) + J(θ0)(θ − θ0). Metrics: rmse, agreement.', ['init', 'x'], {
    init: arg.ref(weights, 'the linearization point θ0'),
    x: arg.ref(weights, 'the trained weights'),
    on,
    samples: arg.count('number of evaluation inputs', LIMITS.examples, { default: 512 }),
  }, ['init', 'x', 'on']),
  probe('kernel_distance', 'Empirical NTK distance 1 − ⟨K1,K2⟩/(‖K1‖‖K2‖) on `samples` inputs (Fort et al. 2020). Metric: distance.', ['a', 'b'], {
    a: arg.ref(weights, 'first weights'), b: arg.ref(weights, 'second weights'), on,
    samples: arg.count('number of probe inputs', LIMITS.repeats, { minimum: 2, default: 64 }),
    seed: arg.seed('seed of the choice of probe inputs'),
  }, ['a', 'b', 'on']),
  probe('llc', 'Local learning coefficient by SGLD localized at the weights (Lau et al.). Metrics: llc_mean, llc_std; loss traces per chain.', ['x'], {
    x: arg.ref(weights, 'the weights w*'), on: arg.ref(['split', 'dataset'], 'data of the loss (a dataset means its train split)'),
    epsilon: arg.number('SGLD step size ε', { exclusiveMinimum: 0, default: 1e-3 }),
    gamma: arg.number('localization strength γ', { minimum: 0, default: 100 }),
    nbeta: arg.number('inverse temperature nβ (default B / log B)', { exclusiveMinimum: 0 }),
    chains: arg.count('number of chains', LIMITS.repeats, { default: 4 }),
    draws: arg.count('draws per chain', LIMITS.draws, { default: 200 }),
    burnin: arg.int('burn-in steps per chain', { minimum: 0, maximum: LIMITS.draws, default: 50 }),
    batch: arg.count('minibatch size B', LIMITS.examples, { default: 64 }),
    seed: arg.seed('seed of the chains'),
  }, ['x', 'on']),
];
