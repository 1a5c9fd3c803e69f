// What a run shows while it works. On a terminal: a bar per running stage (steps, loss, ETA) redrawn in
// place, with finished stages scrolling above. Elsewhere (logs, pipes, CI): one plain line per event,
// easy to grep: `started NAME`, `done NAME (1.2 s)`, `failed NAME: CAUSE`, `skipped NAME: CAUSE`,
// `waiting NAME: WHO HOLDS IT`, `resumed NAME from step S (a checkpoint of its run in the cache)`,
// `saved NAME: its run's checkpoint at step S` (an intermediate commit of a long training stage),
// `queued NAME: job ID` (a batch job computes it: the Slurm executor), and
// after a computed training segment whose run diverged, `warning NAME: training diverged at step …`.
import type { Stage } from '../core/stage.ts';
import { describeDivergence, divergenceOf, type Divergence } from './divergence.ts';
import type { StageProgress } from './executors/executor.ts';
import type { StageReport } from './scheduler.ts';
import type { ClaimContent } from './store/index.ts';

export interface ProgressView {
  started(stage: Stage): void;
  progress(stage: Stage, p: StageProgress): void;
  settled(stage: Stage, report: StageReport, reused: boolean): void;
  /** A line that is not about one stage (the backend, a notice). */
  note(line: string): void;
  close(): void;
}

/** Colouring of the status words; identity functions when colour is off. */
export interface ProgressPaint {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

interface Writable {
  write(text: string): unknown;
  columns?: number;
}

export const silentProgress: ProgressView = {
  started: () => undefined,
  progress: () => undefined,
  settled: () => undefined,
  note: () => undefined,
  close: () => undefined,
};

/**
 * The line a settled stage leaves behind; none for results that were there before the run, nor for
 * stages an interrupt kept from starting (the summary counts them).
 */
function settledLine(report: StageReport, reused: boolean, wasRunning: boolean, paint: ProgressPaint): string | undefined {
  switch (report.status) {
    case 'done': {
      const line = `${paint.green('done')}     ${report.name} ${paint.dim(`(${formatSeconds(report.seconds)})`)}` +
        (report.recomputed === undefined ? '' : ` ${paint.yellow('recomputed')}: ${report.recomputed}`);
      const diverged = divergenceOf(report.metrics);
      return diverged === undefined ? line : `${line}\n${divergenceLine(report.name, diverged, paint)}`;
    }
    case 'failed': return `${paint.red('failed')}   ${report.name}: ${report.error}`;
    case 'skipped': return `${paint.yellow('skipped')}  ${report.name}: ${report.error}`;
    case 'interrupted': return wasRunning ? `${paint.yellow('stopped')}  ${report.name}` : undefined;
    case 'cached': return reused ? `${paint.green('reused')}   ${report.name} ${paint.dim('(computed by another run)')}` : undefined;
  }
}

/** The warning about a training run that diverged (also in the run's summary). */
export function divergenceLine(name: string, diverged: Divergence, paint: Pick<ProgressPaint, 'yellow'>): string {
  return `${paint.yellow('warning')}  ${name}: ${describeDivergence(diverged)}`;
}

/** A line for a training stage's report that is an event (a resume, an intermediate commit), if it is one. */
function progressEventLine(stage: Stage, p: StageProgress, paint: ProgressPaint): string | undefined {
  if (p.resumedFrom !== undefined) return `${paint.green('resumed')}  ${stage.name} from step ${p.resumedFrom} (a checkpoint of its run in the cache)`;
  if (p.committed !== undefined) return `${paint.dim('saved')}    ${stage.name}: its run's checkpoint at step ${p.committed}`;
  return undefined;
}

/** Which stage waits for another run, whose claim it is and how long it has been held (for a note). */
export function waitingLine(stage: Stage, holder: ClaimContent | undefined, now: number = Date.now()): string {
  if (holder === undefined) return `waiting  ${stage.name}: another run is claiming it`;
  const age = (iso: string) => formatSeconds(Math.max(0, (now - Date.parse(iso)) / 1000));
  return `waiting  ${stage.name}: claimed by process ${holder.pid} on ${holder.host} (run ${holder.runId}) ${age(holder.startedAt)} ago, ` +
    `last heartbeat ${age(holder.heartbeatAt)} ago`;
}

export class LineProgress implements ProgressView {
  readonly #out: Writable;
  readonly #paint: ProgressPaint;
  readonly #running = new Set<string>();

  constructor(out: Writable, paint: ProgressPaint) {
    this.#out = out;
    this.#paint = paint;
  }

  started(stage: Stage): void {
    // A stage a group handed back starts again on its own.
    if (this.#running.has(stage.key)) return;
    this.#running.add(stage.key);
    this.#out.write(`started  ${stage.name}\n`);
  }

  progress(stage: Stage, p: StageProgress): void {
    const line = progressEventLine(stage, p, this.#paint);
    if (line !== undefined) this.#out.write(line + '\n');
  }

  settled(stage: Stage, report: StageReport, reused: boolean): void {
    const line = settledLine(report, reused, this.#running.delete(stage.key), this.#paint);
    if (line !== undefined) this.#out.write(line + '\n');
  }

  note(line: string): void {
    this.#out.write(line + '\n');
  }

  close(): void {}
}

interface RunningStage {
  name: string;
  startedAt: number;
  step: number;
  total: number;
  loss: number | undefined;
  /** The first report's step and time: the rate is measured from there (start-up is not training). */
  firstStep: number | undefined;
  firstAt: number;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 20;

export class BarProgress implements ProgressView {
  readonly #out: Writable;
  readonly #paint: ProgressPaint;
  readonly #running = new Map<string, RunningStage>();
  #drawnLines = 0;
  /** The elapsed-time ticker, and a redraw due soon after a progress report. */
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(out: Writable, paint: ProgressPaint, now: () => number = Date.now) {
    this.#out = out;
    this.#paint = paint;
    this.#now = now;
  }

  started(stage: Stage): void {
    const now = this.#now();
    this.#running.set(stage.key, { name: stage.name, startedAt: now, step: 0, total: 0, loss: undefined, firstStep: undefined, firstAt: now });
    this.#redraw();
    if (this.#timer === undefined) {
      // Elapsed time ticks even between reports.
      this.#timer = setInterval(() => this.#redraw(), 1000);
      this.#timer.unref();
    }
  }

  progress(stage: Stage, p: StageProgress): void {
    const running = this.#running.get(stage.key);
    if (running === undefined) return;
    if (running.firstStep === undefined) {
      running.firstStep = p.step;
      running.firstAt = this.#now();
    }
    running.step = p.step;
    running.total = p.total;
    if (p.loss !== undefined) running.loss = p.loss;
    const line = progressEventLine(stage, p, this.#paint);
    if (line !== undefined) this.#redraw([line]);
    else this.#redrawSoon();
  }

  settled(stage: Stage, report: StageReport, reused: boolean): void {
    const line = settledLine(report, reused, this.#running.delete(stage.key), this.#paint);
    this.#redraw(line === undefined ? [] : [line]);
  }

  note(line: string): void {
    this.#redraw([line]);
  }

  close(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#pending);
    this.#timer = undefined;
    this.#pending = undefined;
    this.#running.clear();
    this.#redraw();
  }

  #redrawSoon(): void {
    if (this.#pending !== undefined) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#redraw();
    }, REDRAW_MS);
    this.#pending.unref();
  }

  /** Erase the bars, print `lines` where they were, draw the bars again below. */
  #redraw(lines: string[] = []): void {
    let text = this.#drawnLines > 0 ? `\u001b[${this.#drawnLines}A\u001b[0J` : '';
    for (const line of lines) text += line + '\n';
    const bars = [...this.#running.values()].map((r) => this.#bar(r));
    for (const bar of bars) text += bar + '\n';
    this.#drawnLines = bars.length;
    if (text !== '') this.#out.write(text);
  }

  #bar(r: RunningStage): string {
    const now = this.#now();
    const width = this.#out.columns || 100;
    const name = r.name.length > 28 ? r.name.slice(0, 27) + '…' : r.name.padEnd(28);
    if (r.total <= 0) return truncate(`${name} ${this.#paint.dim(`running ${formatSeconds((now - r.startedAt) / 1000)}`)}`, width);
    const fraction = Math.min(1, r.step / r.total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    const parts = [`${name} ${bar} ${r.step}/${r.total}`];
    if (r.loss !== undefined) parts.push(`loss ${r.loss.toPrecision(4)}`);
    const eta = estimateSeconds(r, now);
    if (eta !== undefined) parts.push(`ETA ${formatSeconds(eta)}`);
    return truncate(parts.join('  '), width);
  }
}

/** Seconds left at the rate measured since the first report; undefined until there is a rate. */
function estimateSeconds(r: RunningStage, now: number): number | undefined {
  if (r.firstStep === undefined || r.step <= r.firstStep || now <= r.firstAt) return undefined;
  const perSecond = (r.step - r.firstStep) / ((now - r.firstAt) / 1000);
  return (r.total - r.step) / perSecond;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Cut a line (which may hold colour codes) to the terminal's width, so a redraw never wraps. */
function truncate(line: string, width: number): string {
  const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
  return plain.length < width ? line : plain.slice(0, Math.max(10, width - 1));
}
