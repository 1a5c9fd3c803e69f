// `ltx run FILE`: compile, compute what the cache does not have, show progress, summarize. Ctrl-C stops
// running stages at their next step boundary (a second Ctrl-C at once); a rerun continues from there.
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { CompiledProgram } from '../../compiler/compile.ts';
import { backendRequests, describeChoice, type BackendChoice, type BackendRequest } from '../../runtime/backends/choice.ts';
import { checkpointScheduleFrom, CheckpointScheduleError, type CheckpointSchedule } from '../../runtime/checkpoint-schedule.ts';
import { DEFAULT_DEVICE_CACHE_BYTES, parseByteSize } from '../../runtime/device-cache.ts';
import { ExecutorStartError } from '../../runtime/executors/executor.ts';
import { LocalExecutor } from '../../runtime/executors/local.ts';
import { divergenceOf, type Divergence } from '../../runtime/divergence.ts';
import { BarProgress, divergenceLine, LineProgress, type ProgressView } from '../../runtime/progress.ts';
import { runStages, selectStages, UnknownTargetError, type RunSummary } from '../../runtime/run.ts';
import type { StageReport } from '../../runtime/scheduler.ts';
import { CacheUnusableError } from '../../runtime/store/index.ts';
import { groupKeyOf } from '../../core/library.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { STANDARD_STAGE_LIBRARY } from '../../stdlib/stage-library.ts';
import { compileFile, printJson, stopsOnErrors, type CompileFlags } from '../compile-file.ts';
import { recordFailures } from '../failure-notes.ts';
import { paint, plural, useColor, type Paint } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';
import { openCache } from './cache.ts';
import packageJson from '../../package.json' with { type: 'json' };

/** The conventional status of a program stopped by SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

export interface RunFlags {
  jobs?: string;
  backend?: string;
  executor?: string;
  json: boolean;
  only?: string;
  cache?: string;
  deviceCache?: string;
}

interface RunSettings {
  jobs: number;
  backend: BackendRequest;
  deviceCacheBytes: number;
  checkpoints: CheckpointSchedule;
}

/** Flags are checked before anything is compiled: a typo is a usage error, exit status 2. */
export function runSettings(flags: RunFlags): RunSettings {
  const executor = flags.executor ?? 'local';
  if (executor === 'slurm') throw new UsageError('ltx run: the slurm executor is not available yet (use --executor local)');
  if (executor !== 'local') throw new UsageError(`ltx run: --executor ${executor}: expected local or slurm`);
  let jobs = availableParallelism();
  if (flags.jobs !== undefined) {
    jobs = Number(flags.jobs);
    if (!/^\d+$/.test(flags.jobs.trim()) || jobs < 1) throw new UsageError(`ltx run: --jobs ${flags.jobs}: expected a whole number ≥ 1`);
  }
  const backend = flags.backend ?? 'auto';
  if (!(backendRequests as readonly string[]).includes(backend)) {
    throw new UsageError(`ltx run: --backend ${backend}: expected one of ${backendRequests.join(', ')}`);
  }
  let deviceCacheBytes = DEFAULT_DEVICE_CACHE_BYTES;
  if (flags.deviceCache !== undefined) {
    const parsed = parseByteSize(flags.deviceCache);
    if (parsed === undefined) throw new UsageError(`ltx run: --device-cache ${flags.deviceCache}: expected a size such as 512MB, 2GiB or 1000000`);
    deviceCacheBytes = parsed;
  }
  let checkpoints: CheckpointSchedule;
  try {
    checkpoints = checkpointScheduleFrom(process.env);
  } catch (error) {
    if (error instanceof CheckpointScheduleError) throw new UsageError(`ltx run: ${error.message}`);
    throw error;
  }
  return { jobs, backend: backend as BackendRequest, deviceCacheBytes, checkpoints };
}

export async function runCommand(file: string, compileFlags: CompileFlags, flags: RunFlags): Promise<number> {
  const settings = runSettings(flags);
  const program = await compileFile(file, compileFlags);
  if (stopsOnErrors(file, program, flags.json)) return EXIT.invalid;
  let stages = program.stages;
  if (flags.only !== undefined) {
    try {
      stages = selectStages(program, flags.only);
    } catch (error) {
      if (error instanceof UnknownTargetError) throw new UsageError(`ltx run: ${error.message}`);
      throw error;
    }
  }
  const store = await openCache('run', flags.cache);

  // With --json, stdout carries only the summary document; everything for people goes to stderr.
  const human = flags.json ? process.stderr : process.stdout;
  const p = paint(useColor(human));
  const view: ProgressView = human.isTTY ? new BarProgress(human, p) : new LineProgress(human, p);

  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts++;
    if (interrupts > 1) {
      // Results are committed atomically and claims of a dead process are taken over: stopping here is safe.
      process.stderr.write('ltx: stopped\n');
      process.exit(EXIT_INTERRUPTED);
    }
    view.note(p.yellow('interrupted: stopping the running stages at their next step (Ctrl-C again to stop at once)'));
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  let summary: RunSummary;
  try {
    summary = await runStages({
      program, store, stages, jobs: settings.jobs, signal: controller.signal, view, programFile: file,
      groupKey: (stage) => groupKeyOf(standardLibrary, stage),
      executor: (workers) => new LocalExecutor({
        jobs: workers, backend: settings.backend, storeRoot: store.root, programDir: dirname(resolve(file)), ltxVersion: packageJson.version,
        deviceCacheBytes: settings.deviceCacheBytes, library: STANDARD_STAGE_LIBRARY, checkpoints: settings.checkpoints,
      }),
      executorStarted: (backend) => { if (backend) for (const line of backendLines(backend, p)) view.note(line); },
    });
  } catch (error) {
    // A backend that cannot start (--backend tensorflow without the package, …) is not a usage error.
    if (error instanceof ExecutorStartError) {
      process.stderr.write(`ltx: ${error.message}\n`);
      return EXIT.invalid;
    }
    if (error instanceof CacheUnusableError) {
      process.stderr.write(`ltx: ${error.message}; nothing was computed, and the results it holds are untouched\n`);
      return EXIT.invalid;
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  try {
    await recordFailures(store, summary.stages);
  } catch (error) {
    // The run's results are committed; only `ltx results` will show its failed rows as pending.
    process.stderr.write(`ltx: could not note the failed stages in the cache: ${(error as Error).message}\n`);
  }

  if (flags.json) {
    printJson({
      file,
      backend: summary.backend?.name ?? null,
      cache: store.root,
      stages: summary.stages.map((s) => {
        const diverged = divergenceOf(s.metrics);
        return {
          id: s.key, name: s.name, status: s.status, seconds: s.seconds,
          ...(s.error === undefined ? {} : { error: s.error }), ...(s.recomputed === undefined ? {} : { recomputed: s.recomputed }),
          ...(diverged === undefined ? {} : { diverged }),
        };
      }),
      failed: summary.failed,
      interrupted: summary.interrupted,
    });
  } else {
    process.stdout.write(summaryText(summary, program, file, store.root, p));
  }
  if (summary.interrupted) return EXIT_INTERRUPTED;
  return summary.failed > 0 ? EXIT.invalid : EXIT.ok;
}

function backendLines(choice: BackendChoice, p: Paint): string[] {
  const lines = describeChoice(choice);
  const chosen = lines.find((line) => line.startsWith(`${choice.name}: chosen`)) ?? choice.name;
  const others = lines.filter((line) => line !== chosen);
  return [`backend ${p.bold(chosen)}`, ...others.map((line) => p.dim(`  ${line}`))];
}

function summaryText(summary: RunSummary, program: CompiledProgram, file: string, cacheRoot: string, p: Paint): string {
  const count = (status: string) => summary.stages.filter((s) => s.status === status).length;
  const parts = [`${count('cached')} cached`, `${count('done')} computed`];
  if (summary.failed > 0) parts.push(p.red(`${summary.failed} failed`));
  if (count('skipped') > 0) parts.push(p.yellow(`${count('skipped')} skipped`));
  if (count('interrupted') > 0) parts.push(p.yellow(`${count('interrupted')} not finished`));
  let text = `\n${plural(summary.stages.length, 'stage')}: ${parts.join(', ')}${summary.interrupted ? ' (interrupted: run again to continue)' : ''}\n`;
  for (const failed of summary.stages.filter((s) => s.status === 'failed')) {
    const skipped = summary.stages.filter((s) => s.status === 'skipped' && s.error === `'${failed.name}' failed`).map((s) => s.name);
    text += `  ${p.red('failed')} ${failed.name}: ${failed.error}\n`;
    if (skipped.length > 0) text += p.dim(`    skipped because of it: ${skipped.slice(0, 8).join(', ')}${skipped.length > 8 ? `, +${skipped.length - 8} more` : ''}`) + '\n';
  }
  for (const run of divergedRuns(summary.stages, program)) text += `  ${divergenceLine(run.name, run.diverged, p)}\n`;
  text += `results: ltx results ${file}\ncache:   ${cacheRoot}\n`;
  return text;
}

/**
 * The training runs among `stages` that had diverged, each named once: by its last stage here (a later
 * stage of a diverged run says nothing more).
 */
function divergedRuns(stages: readonly StageReport[], program: CompiledProgram): { name: string; diverged: Divergence }[] {
  const runs = stages.flatMap((report) => {
    const diverged = divergenceOf(report.metrics);
    return diverged === undefined ? [] : [{ key: report.key, name: report.name, diverged }];
  });
  const continued = new Set(runs.flatMap((run) => program.stageByKey.get(run.key)?.after ?? []));
  return runs.filter((run) => !continued.has(run.key));
}
