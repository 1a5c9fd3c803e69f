// Planning speed: parse + compile + plan a program of ~10,000 stages made by nested loops (a seed
// sweep of IMP levels with probes). Target: under 2 s. Run: npm run bench:plan
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compile } from '../compiler/compile.ts';
import { emptyCache, plan } from '../compiler/plan.ts';
import type { CompileHost } from '../compiler/program-loader.ts';
import { standardLibrary } from '../stdlib/library.ts';
import { writeResultsSection } from './results-file.ts';

function program(seeds: number, levels: number): string {
  return `param levels = ${levels}
dataset d = digits()
model net = mlp(input: 64, hidden: [128, 64], classes: 10)
optimizer o = sgd(lr: 0.05, momentum: 0.9, batch: 60)
for seed in 0..${seeds - 1} {
  init theta[seed] = kaiming_normal(net, seed: seed)
  train t[seed][0] = fit(theta[seed], data: d.train, optimizer: o, steps: 600 steps, order: seed)
  for level in 1..levels {
    mask m[seed][level] = magnitude(t[seed][level - 1], rate: 20%, skip: ["output"])
    train t[seed][level] = fit(rewind(t[seed][0] @ 24 steps, mask: m[seed][level]), like: t[seed][0])
    probe acc[seed][level] = accuracy(t[seed][level], on: d.test)
  }
}
`;
}

function measure(seeds: number, levels: number): { stages: number; ms: { compile: number; plan: number; total: number } } {
  const text = program(seeds, levels);
  const host: CompileHost = { readFile: (p) => (p === 'bench.ltx' ? text : undefined), resolveImport: (_f, s) => s };
  const t0 = performance.now();
  const compiled = compile('bench.ltx', { host, library: standardLibrary });
  const t1 = performance.now();
  if (compiled.diagnostics.length > 0) throw new Error(compiled.diagnostics[0]!.message);
  const rows = plan(compiled, emptyCache);
  const t2 = performance.now();
  return { stages: rows.length, ms: { compile: t1 - t0, plan: t2 - t1, total: t2 - t0 } };
}

measure(5, 5); // warm-up: module loading and JIT are not what users wait for on a large program
const runs = [0, 1, 2].map(() => measure(100, 25));
runs.sort((a, b) => a.ms.total - b.ms.total);
const median = runs[1]!;
const line = `| ${median.stages} | ${median.ms.compile.toFixed(0)} | ${median.ms.plan.toFixed(0)} | ${median.ms.total.toFixed(0)} | ${median.ms.total < 2000 ? 'yes' : 'NO'} |`;
console.log(`stages ${median.stages}: compile ${median.ms.compile.toFixed(0)} ms, plan ${median.ms.plan.toFixed(0)} ms, total ${median.ms.total.toFixed(0)} ms (median of 3)`);
writeResultsSection('plan', [
  '## Planning a program of 10,000 stages',
  '',
  `Command: \`npm run bench:plan\` (bench/plan.bench.ts). Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}.`,
  'Program: 100 seeds × (init + dense run split at the rewind step + 25 IMP levels of mask, rewind, retrain and accuracy probe), nested loops; parse + compile (loops unrolled, schemas checked, stages hashed) + plan. Median of 3 after a warm-up. Target: under 2 s.',
  '',
  '| stages | compile ms | plan ms | total ms | under 2 s |',
  '|---|---|---|---|---|',
  line,
].join('\n'));
