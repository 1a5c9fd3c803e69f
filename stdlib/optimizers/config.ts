// The optimizer of a train stage as the compiler emits it: `{op, version, lr, batch, warmup, decay?, …}`
// with quantities already resolved to steps. Read into typed configs here, with the schema's defaults
// for anything absent, so that every later use is plain data.

export interface StepDecay {
  kind: 'step';
  /** Steps at which the learning rate is multiplied by `factor` (each one counts once it is reached). */
  at: number[];
  factor: number;
}

export interface CosineDecay {
  kind: 'cosine';
  /** The learning rate at the last step, as a share of lr. */
  final: number;
}

export type Decay = StepDecay | CosineDecay;

export interface ScheduleConfig {
  lr: number;
  /** Linear warmup length in steps (0: none). */
  warmup: number;
  decay?: Decay;
}

export interface SgdConfig extends ScheduleConfig {
  op: 'sgd';
  momentum: number;
  nesterov: boolean;
  /** L2: weight_decay·w is added to the gradient (PyTorch's SGD). */
  weightDecay: number;
}

export interface AdamConfig extends ScheduleConfig {
  /** adam: L2 added to the gradient; adamw: decay decoupled from the gradient (PyTorch's AdamW). */
  op: 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig;

export const OPTIMIZER_OPS = ['sgd', 'adam', 'adamw'] as const;

type Raw = { [key: string]: unknown };

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOf(raw: Raw, key: string, fallback: number, where: string, check: (v: number) => boolean = () => true): number {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new Error(`${where}: '${key}' has an invalid value ${JSON.stringify(value)}`);
  }
  return value;
}

function booleanOf(raw: Raw, key: string, fallback: boolean, where: string): boolean {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'boolean') throw new Error(`${where}: '${key}' must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

const nonNegative = (v: number) => v >= 0;
const positive = (v: number) => v > 0;
const belowOne = (v: number) => v >= 0 && v < 1;

function readDecay(raw: unknown, where: string): Decay | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw new Error(`${where}: 'decay' must be step(...) or cosine, got ${JSON.stringify(raw)}`);
  if (raw.op === 'step') {
    const at = raw.at;
    if (!Array.isArray(at) || !at.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0)) {
      throw new Error(`${where}: step decay 'at' must be a list of steps, got ${JSON.stringify(at)}`);
    }
    return { kind: 'step', at: [...(at as number[])].sort((a, b) => a - b), factor: numberOf(raw, 'factor', 0.1, `${where} step decay`, positive) };
  }
  if (raw.op === 'cosine') {
    return { kind: 'cosine', final: numberOf(raw, 'final', 0, `${where} cosine decay`, (v) => v >= 0 && v <= 1) };
  }
  throw new Error(`${where}: unknown learning-rate decay ${JSON.stringify(raw.op)} (known: step, cosine)`);
}

/** Typed config of an optimizer descriptor; throws an Error naming the bad field. */
export function readOptimizerConfig(raw: unknown): OptimizerConfig {
  if (!isRecord(raw)) throw new Error(`the optimizer must be an object, got ${JSON.stringify(raw)}`);
  const op = raw.op;
  const where = `optimizer ${String(op)}`;
  const schedule: ScheduleConfig = {
    lr: numberOf(raw, 'lr', op === 'sgd' ? 0.1 : 1e-3, where, positive),
    warmup: numberOf(raw, 'warmup', 0, where, (v) => Number.isInteger(v) && v >= 0),
  };
  const decay = readDecay(raw.decay, where);
  if (decay) schedule.decay = decay;
  switch (op) {
    case 'sgd':
      return {
        op, ...schedule,
        momentum: numberOf(raw, 'momentum', 0, where, belowOne),
        nesterov: booleanOf(raw, 'nesterov', false, where),
        weightDecay: numberOf(raw, 'weight_decay', 0, where, nonNegative),
      };
    case 'adam':
    case 'adamw':
      return {
        op, ...schedule,
        beta1: numberOf(raw, 'beta1', 0.9, where, belowOne),
        beta2: numberOf(raw, 'beta2', 0.999, where, belowOne),
        eps: numberOf(raw, 'eps', 1e-8, where, positive),
        weightDecay: numberOf(raw, 'weight_decay', op === 'adamw' ? 0.01 : 0, where, nonNegative),
      };
    default:
      throw new Error(`unknown optimizer ${JSON.stringify(op)} (known: ${OPTIMIZER_OPS.join(', ')})`);
  }
}

/** The minibatch size of an optimizer descriptor. */
export function readBatchSize(raw: unknown): number {
  if (!isRecord(raw)) throw new Error('the optimizer must be an object');
  return numberOf(raw, 'batch', 128, `optimizer ${String(raw.op)}`, (v) => Number.isInteger(v) && v >= 1);
}
