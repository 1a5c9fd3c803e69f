// Language server latency: how long after an edit of a 1,000-line program its diagnostics arrive (the
// whole program parsed, compiled and checked again, as `ltx check` does), measured by a client over
// stdio from sending textDocument/didChange to receiving textDocument/publishDiagnostics of that
// version. Target: 100 ms. Also hover and completion in the same program.
// Run: node bench/lsp-latency.ts [--edits N] [--no-write]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { compileFile } from '../cli/compile-file.ts';
import { LspClient } from '../test/lsp/client.ts';
import { writeResultsSection } from './results-file.ts';

const TARGET_MS = 100;
const { values } = parseArgs({ options: { edits: { type: 'string', default: '40' }, 'no-write': { type: 'boolean' } } });
const edits = Number(values.edits);

/** 1,000 lines: a header, then blocks of a comment, a run, its mask, a rewound retraining and two probes. */
function program(): string {
  const lines = [
    'param seed = 0',
    'dataset d = digits(test: 20%, seed: 0)',
    'model net = mlp(input: 64, hidden: [32, 16], classes: 10)',
    'init w0 = kaiming_normal(net, seed: seed)',
    'optimizer opt = sgd(lr: 0.05, momentum: 0.9, batch: 60)',
  ];
  for (let i = 0; lines.length < 1000; i++) {
    lines.push(
      `# replicate ${i}`,
      `train r${i} = fit(w0, data: d.train, optimizer: opt, steps: 40 steps, order: ${i})`,
      `mask m${i} = magnitude(r${i}, rate: 20%, skip: ["output"])`,
      `control c${i} = fit(rewind(r${i} @ 10 steps, mask: m${i}), like: r${i})`,
      `probe a${i} = accuracy(c${i}, on: d.test)`,
    );
  }
  return `${lines.slice(0, 1000).join('\n')}\n`;
}

/** CPU time (user + system) the process has used, in ms, from /proc (10 ms resolution: used as a sum over many edits). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  // After the command name: state is field 3, utime field 14, stime field 15 (1-based).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

const CLOCK_TICKS = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'ltx-bench-lsp-'));
const loadBefore = loadavg()[0]!;
try {
  const text = program();
  const path = join(dir, 'big.ltx');
  writeFileSync(path, text);
  const uri = pathToFileURL(path).href;
  const stageCount = (await compileFile(path, { sets: [] })).stages.length;
  const client = await LspClient.start(dir);
  const openedAt = performance.now();
  const opened = await client.open(uri, text);
  const openMs = performance.now() - openedAt;
  if (opened.diagnostics.length > 0) throw new Error(`the bench program has errors: ${JSON.stringify(opened.diagnostics[0])}`);

  // Each edit changes a run's data order (new stages) or puts in a typo and takes it out again.
  const valid: number[] = [];
  const invalid: number[] = [];
  const cpuBefore = cpuMs(client.pid);
  let compiles = 0;
  const lines = text.split('\n');
  for (let e = 0; e < edits; e++) {
    // The run line of a block (line 6 + 5k).
    const line = 6 + 5 * ((e * 37) % 199);
    const original = lines[line]!;
    const typo = e % 2 === 1;
    const replacement = typo ? original.replace(/=/, '= fti_') : original.replace(/order: (\d+)/, (_, n: string) => `order: ${Number(n) + 1000 + e}`);
    const started = performance.now();
    const version = client.edit(uri, { start: { line, character: 0 }, end: { line, character: original.length } }, replacement);
    const published = await client.nextDiagnostics(uri, version);
    (typo ? invalid : valid).push(performance.now() - started);
    compiles += typo ? 2 : 1;
    if (typo !== published.diagnostics.length > 0) throw new Error(`edit ${e}: unexpected diagnostics ${JSON.stringify(published.diagnostics.slice(0, 1))}`);
    lines[line] = replacement;
    if (typo) {
      const version2 = client.edit(uri, { start: { line, character: 0 }, end: { line, character: replacement.length } }, original);
      await client.nextDiagnostics(uri, version2);
      lines[line] = original;
    }
  }

  const cpuPerCompile = (cpuMs(client.pid) - cpuBefore) / compiles;
  const timed = async (run: () => Promise<unknown>): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    return times;
  };
  const hover = await timed(() => client.request('textDocument/hover', { textDocument: { uri }, position: { line: 500, character: 8 } }));
  const completion = await timed(() => client.request('textDocument/completion', { textDocument: { uri }, position: { line: 500, character: 16 } }));
  await client.stop();

  const rows = [
    ['diagnostics after an edit that changes stages', valid],
    ['diagnostics after an edit that makes an error', invalid],
    ['hover', hover],
    ['completion', completion],
  ] as const;
  const table = rows.map(([label, times]) => `| ${label} | ${times.length} | ${median(times).toFixed(1)} | ${percentile(times, 0.9).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`);
  const allDiagnostics = [...valid, ...invalid];
  const met = (ms: number) => (ms <= TARGET_MS ? 'yes' : 'no');
  const markdown = [
    '## Language server: diagnostics after an edit of a 1,000-line program',
    '',
    `Command: \`node bench/lsp-latency.ts\` (bench/lsp-latency.ts). Machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; load average (1 min) ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after.`,
    `Program: 1,000 lines (5 header declarations, then 199 blocks of a comment, a run, its magnitude mask, a rewound retraining from step 10 and an accuracy probe: ${text.split('\n').length - 1} lines, ${stageCount} stages). A client over stdio sends an incremental textDocument/didChange of one line and waits for the server's publishDiagnostics of that version (the whole program parsed and checked again, everything \`ltx check\` reports; its stages are not hashed, which reports nothing). First diagnostics after opening it: ${openMs.toFixed(0)} ms. Target: ${TARGET_MS} ms.`,
    '',
    '| request | n | median ms | p90 ms | max ms |',
    '|---|---|---|---|---|',
    ...table,
    '',
    `The server's CPU time (user + system, from /proc) per edit it compiled: ${cpuPerCompile.toFixed(0)} ms on average over ${compiles} edits — what an edit costs when the cores are not shared.`,
    `Diagnostics within ${TARGET_MS} ms: wall time at the 90th percentile ${met(percentile(allDiagnostics, 0.9))}, median ${met(median(allDiagnostics))}; the server's CPU time per edit ${met(cpuPerCompile)}.`,
  ].join('\n');
  console.log(markdown);
  if (!values['no-write']) writeResultsSection('lsp-latency', markdown);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
