// The command line of bench/train-speed.ts: which workloads run, how many timed steps each takes, and the
// thread counts of wasm and PyTorch. A bad value is a UsageError naming its flag (exit status 2).
import { parseArgs } from 'node:util';
import { WORKLOAD_NAMES, WORKLOADS, type Workload, type WorkloadName } from './workloads.ts';

export interface TrainSpeedOptions {
  /** The workloads to measure, in WORKLOADS' order. */
  workloads: Workload[];
  /** Timed steps of each workload. */
  steps: Record<WorkloadName, number>;
  wasmThreads: number;
  /** PyTorch runs with each of these thread counts (rounds alternating); the fastest is the yardstick. */
  torchThreads: number[];
  torch: boolean;
  write: boolean;
}

export class UsageError extends Error {}

/** The workloads --conv-steps sets. */
const CONV_NETS: readonly WorkloadName[] = ['conv-2', 'conv-4', 'conv-6'];

function isWorkloadName(name: string): name is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(name);
}

/** `text` as a whole number ≥ 1; `what` names where it came from in the error ("--mlp-steps 0"). */
function wholeNumber(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`${what}: expected a whole number ≥ 1`);
  return n;
}

function workloadList(text: string): WorkloadName[] {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !isWorkloadName(name));
  if (unknown !== undefined) {
    throw new UsageError(`--workloads ${text}: unknown workload '${unknown}'; expected some of ${WORKLOAD_NAMES.join(', ')}, comma-separated`);
  }
  return names as WorkloadName[];
}

/** "conv-4=6,lenet5=200": timed steps of the workloads named. */
function stepsPerWorkload(text: string, chosen: readonly WorkloadName[]): Partial<Record<WorkloadName, number>> {
  const steps: Partial<Record<WorkloadName, number>> = {};
  for (const item of text.split(',')) {
    const [name = '', count, ...rest] = item.split('=').map((part) => part.trim());
    if (count === undefined || rest.length > 0) throw new UsageError(`--steps ${text}: expected WORKLOAD=N, comma-separated (e.g. conv-4=6,lenet5=200)`);
    if (!isWorkloadName(name)) throw new UsageError(`--steps ${text}: unknown workload '${name}'; expected one of ${WORKLOAD_NAMES.join(', ')}`);
    if (!chosen.includes(name)) throw new UsageError(`--steps ${text}: ${name} is not among the workloads run (--workloads)`);
    steps[name] = wholeNumber(count, `--steps ${text}: ${name}=${count}`);
  }
  return steps;
}

function parseFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        workloads: { type: 'string' },
        steps: { type: 'string' },
        'mlp-steps': { type: 'string' },
        'conv-steps': { type: 'string' },
        'no-torch': { type: 'boolean', default: false },
        'no-write': { type: 'boolean', default: false },
        'wasm-threads': { type: 'string' },
        'torch-threads': { type: 'string' },
      },
    }).values;
  } catch (error) {
    // Node's messages go on with advice about positional arguments: the first sentence names the flag.
    throw new UsageError((error instanceof Error ? error.message : String(error)).split('. ')[0]!);
  }
}

/**
 * The options of `args` (process.argv without node and the script). `cores` is what both sides get by
 * default: wasm's threads and PyTorch's largest thread count.
 */
export function parseTrainSpeedArgs(args: string[], cores: number): TrainSpeedOptions {
  const values = parseFlags(args);
  const chosen = values.workloads === undefined ? WORKLOAD_NAMES : workloadList(values.workloads);
  const steps = Object.fromEntries(WORKLOADS.map((w) => [w.name, w.steps])) as Record<WorkloadName, number>;
  if (values['mlp-steps'] !== undefined) steps['lenet-300-100'] = wholeNumber(values['mlp-steps'], `--mlp-steps ${values['mlp-steps']}`);
  if (values['conv-steps'] !== undefined) {
    const n = wholeNumber(values['conv-steps'], `--conv-steps ${values['conv-steps']}`);
    for (const name of CONV_NETS) steps[name] = n;
  }
  if (values.steps !== undefined) Object.assign(steps, stepsPerWorkload(values.steps, chosen));

  const torchThreadsText = values['torch-threads'] ?? [...new Set([1, cores])].join(',');
  const torchThreads = torchThreadsText.split(',').map(Number);
  if (torchThreads.some((t) => !Number.isInteger(t) || t < 1)) {
    throw new UsageError(`--torch-threads ${torchThreadsText}: expected whole numbers ≥ 1, comma-separated`);
  }
  return {
    workloads: WORKLOADS.filter((w) => chosen.includes(w.name)),
    steps,
    // By default wasm gets the cores PyTorch gets; --wasm-threads 1 measures the single-threaded build.
    wasmThreads: values['wasm-threads'] === undefined ? cores : wholeNumber(values['wasm-threads'], `--wasm-threads ${values['wasm-threads']}`),
    torchThreads,
    torch: !values['no-torch'],
    write: !values['no-write'],
  };
}
