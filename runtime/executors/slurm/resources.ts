// What each job asks Slurm for. Settings come from built-in per-kind defaults (probes are small,
// training is not), then `slurm.json` beside the program, then `--slurm KEY=VALUE` flags; a key may be
// scoped to one stage kind (`train.time`, `probe.mem`). Every value becomes one argument of sbatch
// (`--time=VALUE`), never text a shell reads.
import type { StageKind } from '../../../core/stage.ts';

/** The file beside the program that holds its Slurm settings. */
export const SLURM_CONFIG_FILE = 'slurm.json';

/** What a job of one stage kind asks for. */
export interface JobResources {
  partition?: string;
  account?: string;
  qos?: string;
  /** Slurm's time format: `30`, `4:00:00`, `1-00:00:00`. */
  time?: string;
  cpus?: number;
  /** Slurm's memory format: `2G`, `500M`. */
  mem?: string;
  /** Generic resources, e.g. `gpu:1`. */
  gres?: string;
  /** Further sbatch options, each one argument (`--constraint=a100`). */
  extra?: string[];
}

export interface SlurmSettings {
  /** Per stage kind. */
  resources: Record<StageKind, JobResources>;
  /** How often a preempted or node-failed stage is submitted again before it counts as failed. */
  requeue: number;
  /** Whether a job cancelled outside ltx (`scancel`) is submitted again (within the requeue limit). */
  requeueCancelled: boolean;
  /** At most one squeue query per this many milliseconds, for all jobs of the run. */
  pollMs: number;
  /**
   * Who keeps the DAG's order: 'controller' submits a stage once its parents' results are committed
   * (job arrays for stages ready together); 'afterok' submits every stage at the start, one job each,
   * waiting for its parents' jobs (a level costs one scheduler tick less, no arrays).
   */
  order: 'controller' | 'afterok';
  /** The command the job runs to compute a stage (node and ltx as the nodes see them); default: this ltx. */
  command?: string[];
}

const KINDS: readonly StageKind[] = ['init', 'train', 'mask', 'rewind', 'reinit', 'probe'];
const SMALL: JobResources = { time: '0:30:00', cpus: 1, mem: '2G' };
const TRAINING: JobResources = { time: '4:00:00', cpus: 4, mem: '8G' };

export function defaultSettings(): SlurmSettings {
  const resources = Object.fromEntries(KINDS.map((kind) => [kind, { ...(kind === 'train' ? TRAINING : SMALL) }])) as Record<StageKind, JobResources>;
  return { resources, requeue: 2, requeueCancelled: false, pollMs: 1000, order: 'controller' };
}

/** A setting that cannot be used: `where` names the file or the flag. */
export class SlurmSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmSettingsError';
  }
}

const RESOURCE_KEYS = ['partition', 'account', 'qos', 'time', 'cpus', 'mem', 'gres', 'gpus', 'extra'] as const;
const RUN_KEYS = ['requeue', 'requeue-cancelled', 'poll', 'order', 'command'] as const;

/**
 * Apply one setting. `key` is a resource key (for every kind, or `KIND.key` for one), or a run key;
 * `value` is what the file or flag gave; `where` names the file or flag, and the key. Throws
 * SlurmSettingsError naming `where`.
 */
export function applySetting(settings: SlurmSettings, key: string, value: unknown, where: string): void {
  const [scope, name] = key.includes('.') ? key.split('.', 2) as [string, string] : [undefined, key];
  if (scope !== undefined && !(KINDS as readonly string[]).includes(scope)) {
    throw new SlurmSettingsError(`${where}: '${scope}' is not a stage kind (kinds: ${KINDS.join(', ')})`);
  }
  if ((RUN_KEYS as readonly string[]).includes(name) && scope === undefined) {
    applyRunSetting(settings, name as (typeof RUN_KEYS)[number], value, where);
    return;
  }
  if (!(RESOURCE_KEYS as readonly string[]).includes(name)) {
    throw new SlurmSettingsError(`${where}: unknown setting '${key}' (settings: ${[...RESOURCE_KEYS, ...RUN_KEYS].join(', ')}; KIND.${RESOURCE_KEYS[0]} for one stage kind)`);
  }
  for (const kind of scope === undefined ? KINDS : [scope as StageKind]) {
    applyResource(settings.resources[kind], name as (typeof RESOURCE_KEYS)[number], value, where);
  }
}

function applyResource(resources: JobResources, name: (typeof RESOURCE_KEYS)[number], value: unknown, where: string): void {
  switch (name) {
    case 'cpus': resources.cpus = positiveInteger(value, where); return;
    case 'gpus': resources.gres = `gpu:${positiveInteger(value, where)}`; return;
    case 'extra': resources.extra = stringList(value, where); return;
    default: resources[name] = oneLine(value, where);
  }
}

function applyRunSetting(settings: SlurmSettings, name: (typeof RUN_KEYS)[number], value: unknown, where: string): void {
  switch (name) {
    case 'requeue': settings.requeue = positiveInteger(value, where, 0); return;
    case 'requeue-cancelled': settings.requeueCancelled = yesNo(value, where); return;
    case 'order':
      if (value !== 'controller' && value !== 'afterok') throw new SlurmSettingsError(`${where}: expected controller or afterok, got ${JSON.stringify(value)}`);
      settings.order = value;
      return;
    case 'poll': settings.pollMs = Math.round(positiveNumber(value, where) * 1000); return;
    case 'command': settings.command = stringList(value, where); return;
  }
}

/** Settings from a parsed slurm.json: an object of settings, with an optional object per stage kind. */
export function applyConfigFile(settings: SlurmSettings, config: unknown, file: string): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new SlurmSettingsError(`${file}: expected an object of settings`);
  for (const [key, value] of Object.entries(config)) {
    if ((KINDS as readonly string[]).includes(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) applySetting(settings, `${key}.${inner}`, innerValue, `${file}: ${key}.${inner}`);
    } else {
      applySetting(settings, key, value, `${file}: ${key}`);
    }
  }
}

/** `--slurm KEY=VALUE` flags, in order. */
export function applyFlags(settings: SlurmSettings, flags: readonly string[]): void {
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new SlurmSettingsError(`--slurm ${flag}: expected KEY=VALUE (e.g. --slurm partition=gpu, --slurm train.time=8:00:00)`);
    const key = flag.slice(0, at);
    const raw = flag.slice(at + 1);
    const extraOf = key === 'extra' ? KINDS : KINDS.filter((kind) => key === `${kind}.extra`);
    if (extraOf.length > 0) {
      // Each --slurm extra=OPTION adds one sbatch argument, as it is.
      for (const kind of extraOf) applySetting(settings, `${kind}.extra`, [...(settings.resources[kind].extra ?? []), raw], `--slurm ${key}`);
    } else {
      applySetting(settings, key, key === 'command' ? raw.split(/\s+/).filter(Boolean) : raw, `--slurm ${key}`);
    }
  }
}

/** The sbatch options for one job (or array) of stages of this kind. */
export function sbatchOptions(resources: JobResources): string[] {
  const options: string[] = [];
  if (resources.partition !== undefined) options.push(`--partition=${resources.partition}`);
  if (resources.account !== undefined) options.push(`--account=${resources.account}`);
  if (resources.qos !== undefined) options.push(`--qos=${resources.qos}`);
  if (resources.time !== undefined) options.push(`--time=${resources.time}`);
  if (resources.cpus !== undefined) options.push(`--cpus-per-task=${resources.cpus}`);
  if (resources.mem !== undefined) options.push(`--mem=${resources.mem}`);
  if (resources.gres !== undefined) options.push(`--gres=${resources.gres}`);
  return [...options, ...(resources.extra ?? [])];
}

function oneLine(value: unknown, where: string): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text.trim() === '' || /[\n\r\0]/.test(text)) throw new SlurmSettingsError(`${where}: expected a one-line text, got ${JSON.stringify(value)}`);
  return text.trim();
}

function positiveInteger(value: unknown, where: string, least = 1): number {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < least) throw new SlurmSettingsError(`${where}: expected a whole number ≥ ${least}, got ${JSON.stringify(value)}`);
  return number;
}

function positiveNumber(value: unknown, where: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !(number > 0) || !Number.isFinite(number)) throw new SlurmSettingsError(`${where}: expected a number of seconds > 0, got ${JSON.stringify(value)}`);
  return number;
}

function yesNo(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'yes' || value === 'true') return true;
  if (value === 'no' || value === 'false') return false;
  throw new SlurmSettingsError(`${where}: expected yes or no, got ${JSON.stringify(value)}`);
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string' && item !== '' && !/[\n\r\0]/.test(item))) {
    throw new SlurmSettingsError(`${where}: expected a list of arguments, got ${JSON.stringify(value)}`);
  }
  return [...value] as string[];
}
