// The shape of the code, checked: which folder may import which (lang → core; compiler → lang, core;
// stdlib → core; runtime → core; cli wires them all), no import cycles between files, and every op of
// the standard library complete (schema, version, summary, a lowering, an implementation when it makes
// stages of its own, a section in the docs).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FigureDeclaration } from '../core/op.ts';
import { standardLibrary } from '../stdlib/library.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const LAYERS = ['core', 'lang', 'compiler', 'stdlib', 'runtime', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

/** What each folder may import besides itself. */
const ALLOWED: Record<Layer, Layer[]> = {
  core: [],
  lang: ['core'],
  compiler: ['lang', 'core'],
  stdlib: ['core'],
  runtime: ['core'],
  cli: ['core', 'lang', 'compiler', 'stdlib', 'runtime'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The files of this repository that a file imports (static imports and re-exports; types included). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms), ...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(file), s)));
}

const files = LAYERS.flatMap((layer) => sourceFiles(layer));
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const layerOf = (file: string): Layer | undefined => LAYERS.find((l) => file.startsWith(`${l}/`));

test('each folder imports only the folders below it', () => {
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file)!;
    for (const target of imports) {
      const to = layerOf(target);
      // A file of the repository outside the layers (package.json, data/) is the wiring's to read.
      if (to === undefined) {
        if (from !== 'cli') violations.push(`${file} → ${target}`);
        continue;
      }
      if (to === from) continue;
      if (!ALLOWED[from].includes(to)) violations.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('no two files import each other, directly or around a circle', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map((f) => relative('.', f)).join(' → '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

/**
 * What importing a file loads at once: its static imports and re-exports of values (a type-only one
 * loads nothing; `import()` loads on first use, so it is not one), files by path, packages by name.
 */
function loadedAtImport(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const statements = [...text.matchAll(/^\s*(import|export)\s([^;]*?)from\s+'([^']+)'/gms), ...text.matchAll(/^\s*(import)\s()'([^']+)'/gm)];
  return statements
    .filter(([, , clause]) => !/^type\s/.test(clause!))
    .map(([, , , spec]) => (spec!.startsWith('.') ? normalize(join(dirname(file), spec!)) : spec!));
}

test('importing the standard library loads no TensorFlow.js: what computes on tensors is imported when a stage first needs it', () => {
  // Every command reads the op modules (the compiler needs their signatures); only a run that computes needs tensors.
  const chains: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, path: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of loadedAtImport(file)) {
      if (next.startsWith('@tensorflow/')) chains.push([...path, file, next].join(' → '));
      else if (graph.has(next)) visit(next, [...path, file]);
    }
  };
  visit('stdlib/library.ts', []);
  assert.deepEqual(chains, [], 'an op module imports its computation statically (load it with lazyImplementation or an import() on first use)');
});

test('every op of the standard library is complete', () => {
  const docs = readFileSync(join(root, 'docs/language.md'), 'utf8');
  for (const op of standardLibrary.ops.values()) {
    assert.ok(op.summary.length > 20, `${op.name} has a summary`);
    assert.ok(Number.isInteger(op.version) && op.version >= 1, `${op.name} has a version`);
    assert.equal((op.schema as { type?: string }).type, 'object', `${op.name} has an object schema`);
    assert.ok(op.lowering, `${op.name} has a lowering`);
    assert.ok(docs.includes(`### \`${op.name}(`), `${op.name} has a section in docs/language.md`);
  }
});

test('every probe declares what the report draws of it, from metrics it declares', () => {
  const drawn = (figure: FigureDeclaration): string[] => {
    switch (figure.kind) {
      case 'ticket-curve': return [figure.metric, 'remaining'];
      case 'trajectory': return figure.metrics;
      case 'interpolation-path': return ['barrier'];
      case 'chains': return [`${figure.metric}_mean`, `${figure.metric}_std`, ...Object.keys(figure.settings ?? {}), ...(figure.below ? [figure.below.metric] : [])];
      case 'pair-heatmap': return [figure.metric, ...(figure.baseline ? [figure.baseline.metric] : [])];
    }
  };
  for (const op of standardLibrary.ops.values()) {
    if (op.category !== 'probe') continue;
    assert.ok(op.reporting, `${op.name} declares its reporting`);
    for (const figure of op.reporting.figures) {
      for (const metric of drawn(figure)) assert.ok(op.reporting.metrics.includes(metric), `${op.name}'s ${figure.kind} draws ${metric}, which it declares`);
    }
  }
});
