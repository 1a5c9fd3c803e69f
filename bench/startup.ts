// Startup: the wall time of ltx commands that should feel instant, beside `node -e 0` (starting Node
// itself, the floor). Targets: `ltx check` of a small file under 0.3 s; a run of the quickstart with
// everything cached (it computes nothing) under 1 s. Each command is a fresh process, as from a shell.
// Run: npm run bench:startup [-- --rounds N] [--cache DIR] [--no-write]
//   --cache DIR   a cache that already holds the quickstart's results (else it is computed once into a
//                 temporary cache, untimed)
//   --no-write    print the table without touching RESULTS.md
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeResultsSection } from './results-file.ts';


const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/ltx.js');
const QUICKSTART = 'examples/quickstart.ltx';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, cache: { type: 'string' }, 'no-write': { type: 'boolean' } } });
const rounds = Number(values.rounds);
const scratch = mkdtempSync(join(tmpdir(), 'ltx-bench-startup-'));
const cache = values.cache ?? join(scratch, 'cache');
/** A small program: three declarations, one stage. */
const small = join(scratch, 'small.ltx');
writeFileSync(small, 'dataset d = digits(test: 20%, seed: 0)\nmodel net = mlp(input: 64, hidden: [16], classes: 10)\ninit w0 = kaiming_normal(net, seed: 0)\n');

interface Command {
  label: string;
  argv: string[];
  /** Seconds it should stay under, if it has a target. */
  target?: number;
  env?: Record<string, string>;
}

const ltx = (...args: string[]) => [process.execPath, BIN, ...args];
const commands: Command[] = [
  { label: '`node -e 0`', argv: [process.execPath, '-e', '0'] },
  { label: '`ltx --help`', argv: ltx('--help') },
  { label: '`ltx check small.ltx` (3 declarations)', argv: ltx('check', small), target: 0.3 },
  { label: `\`ltx check ${QUICKSTART}\` (20 declarations, 65 stages)`, argv: ltx('check', QUICKSTART) },
  { label: `\`ltx plan ${QUICKSTART}\` (cached)`, argv: ltx('plan', QUICKSTART, '--cache', cache) },
  { label: `\`ltx run ${QUICKSTART}\` (all cached)`, argv: ltx('run', QUICKSTART, '--cache', cache), target: 1 },
  // What the README's `npx ltx` adds: npm's own start before ltx's.
  { label: '`npx ltx --help`', argv: ['npx', 'ltx', '--help'] },
];

function seconds(command: Command): number {
  const [program, ...args] = command.argv;
  const started = performance.now();
  const r = spawnSync(program!, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...command.env } });
  const elapsed = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${command.argv.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return elapsed;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

try {
  if (values.cache === undefined) {
    process.stderr.write(`computing the quickstart once into ${cache} (untimed)...\n`);
    const run = spawnSync(process.execPath, [BIN, 'run', QUICKSTART, '--cache', cache], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) throw new Error('the quickstart run failed');
  }
  // The first start after an install: Node's compile cache is empty (a fresh directory).
  const cold = { label: '`ltx check small.ltx`, first start (empty compile cache)', argv: ltx('check', small), env: { NODE_COMPILE_CACHE: join(scratch, 'compile-cache') } };
  const coldSeconds = seconds(cold);
  for (const command of commands) seconds(command); // warm-up: the compile cache and the file system cache
  const loadBefore = loadavg()[0]!;
  const times = new Map(commands.map((c) => [c, [] as number[]]));
  // Rounds interleave the commands, so a change of machine load touches all of them alike.
  for (let round = 0; round < rounds; round++) for (const command of commands) times.get(command)!.push(seconds(command));
  const loadAfter = loadavg()[0]!;

  const cell = (s: number) => s.toFixed(2);
  const lines = commands.map((c) => {
    const t = times.get(c)!;
    const met = c.target === undefined ? '' : median(t) < c.target ? 'yes' : 'NO';
    return `| ${c.label} | ${cell(median(t))} | ${cell(Math.min(...t))} | ${c.target === undefined ? '' : `< ${c.target} s`} | ${met} |`;
  });
  lines.push(`| ${cold.label} | ${cell(coldSeconds)} (once) | | | |`);
  const table = ['| command | median s | fastest s | target | met |', '|---|---|---|---|---|', ...lines].join('\n');
  console.log(table);
  if (!values['no-write']) {
    writeResultsSection('startup', [
      '## Startup: commands that should feel instant',
      '',
      `Command: \`npm run bench:startup\` (bench/startup.ts). Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; ` +
        `Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
      `Wall time of each command as a fresh process (spawned the way a shell starts it, output discarded), ${rounds} rounds ` +
        'that interleave the commands after one warm-up round; the quickstart\'s results were in the cache, so `run` computes ' +
        'nothing and starts no backend. Node keeps compiled modules between runs (bin/ltx.js enables its compile cache); the ' +
        'last row is the first start with that cache empty.',
      '',
      table,
    ].join('\n'));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
