// `ltx report` through the real binary on a small program that has every kind of plot (a digits IMP
// with controls, linear mode connectivity, a mask overlap, LLC and the NTK distance along training):
// the page, its specs, and — in headless Chromium (Debian's `chromium`) — that every plot is drawn.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/ltx.js');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

const PROGRAM = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 60 steps, order: 0)
lottery ticket = imp(dense, rounds: 2, rate: 50%, rewind: 10 steps)
probe acc = accuracy(ticket, on: d.test)
for level in 1..2 {
  control reinit[level] = fit(reinit(w0, mask: ticket[level], seed: 1), like: dense)
  probe reinit_acc[level] = accuracy(reinit[level], on: d.test)
}
probe lmc = instability(dense @ 10 steps, mask: ticket[1], copies: 2, points: 5, on: d.test)
probe overlap = mask_overlap(ticket[1], ticket[2])
probe lc = llc(dense @ every 30 steps, on: d.train, chains: 2, draws: 20, burnin: 5)
probe kernel = kernel_distance(w0, dense @ every 30 steps, on: d.test, samples: 8)
`;

const PROBE_FIGURES = ['accuracy-vs-remaining', 'interpolation-path', 'llc-lc', 'llc-traces-lc', 'mask-overlap', 'trajectory-kernel'];
const FIGURES = [...PROBE_FIGURES, 'training-loss'];

const dir = mkdtempSync(join(tmpdir(), 'ltx-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'report.ltx');
const cache = join(dir, 'cache');
writeFileSync(file, PROGRAM);

/** `timeoutMs` kills a command that hangs (spawnSync blocks the test runner's own timeout). */
function ltx(args: string[], timeoutMs?: number) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1', LTX_CACHE: '' }, timeout: timeoutMs });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

let page = '';
let beforeRun = { status: null as number | null, stdout: '', stderr: '' };
before(() => {
  beforeRun = ltx(['report', file, '--cache', cache, '--out', join(dir, 'empty')]);
  const run = ltx(['run', file, '--cache', cache, '--jobs', '1']);
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const r = ltx(['report', file, '--cache', cache, '--out', join(dir, 'report')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`wrote .*index\\.html: ${FIGURES.length} plots, 6 probe tables\\n$`));
  page = join(dir, 'report', 'index.html');
});

test('before anything ran, the report has no plots and every row pending', () => {
  assert.equal(beforeRun.status, 0, beforeRun.stderr);
  assert.match(beforeRun.stdout, /0 plots, 6 probe tables \(\d+ of \d+ rows pending: run 'ltx run/);
  const html = readFileSync(join(dir, 'empty', 'index.html'), 'utf8');
  assert.match(html, /no probe row has been computed/);
  assert.match(html, /class="pending text"/);
});

test('an --out that cannot be a directory is a usage error naming the flag', () => {
  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, 'not a directory');
  const r = ltx(['report', file, '--cache', cache, '--out', join(blocker, 'report')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^ltx: ltx report: --out .*a-file\/report: cannot write the report there \(ENOTDIR: a part of the path is a file\)\n$/);
  const onFile = ltx(['report', file, '--cache', cache, '--out', blocker]);
  assert.equal(onFile.status, 2);
  assert.match(onFile.stderr, /^ltx: ltx report: --out .*a-file: cannot write the report there \(EEXIST: it is a file, not a directory\)\n$/);
});

test('an --out in a directory without write permission is a usage error naming the flag', { skip: process.getuid?.() === 0 && 'root may write anywhere' }, () => {
  const locked = join(dir, 'locked');
  mkdirSync(locked, { mode: 0o555 });
  const r = ltx(['report', file, '--cache', cache, '--out', join(locked, 'report')], 60_000);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^ltx: ltx report: --out .*locked\/report: cannot write the report there \(EACCES: permission denied\)\n$/);
});

// mkdir under /proc fails with ENOENT although the parent exists; Node's recursive mkdir retried that forever.
for (const out of ['/proc/self', '/proc/self/x']) {
  test(`an --out inside /proc (${out}) ends with a usage error naming the flag`, { skip: !existsSync('/proc/self') && 'needs Linux /proc' }, () => {
    const r = ltx(['report', file, '--cache', cache, '--out', out], 60_000);
    assert.equal(r.signal, null, 'ltx report did not end');
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `ltx: ltx report: --out ${out}: cannot write the report there (ENOENT: nothing can be created there)\n`);
  });
}

/** The SVG and caption of figure `id` on the page. */
function figureOnPage(html: string, id: string): { svg: string; caption: string } {
  const figure = new RegExp(`<figure data-figure="${id}">\\s*<div class="plot">(<svg[\\s\\S]*?</svg>)</div>\\s*<figcaption>([\\s\\S]*?)</figcaption>`).exec(html);
  assert.ok(figure, `figure ${id} with an SVG and a caption`);
  return { svg: figure[1]!, caption: figure[2]! };
}

test('the page holds every standard plot as inline SVG, with its caption', () => {
  const html = readFileSync(page, 'utf8');
  for (const id of PROBE_FIGURES) assert.match(figureOnPage(html, id).caption, /rows? computed on wasm/);
  assert.match(html, /Series: acc, reinit_acc/);
});

test('the page has the training loss of every run, a panel each, without running anything again', () => {
  const { svg, caption } = figureOnPage(readFileSync(page, 'utf8'), 'training-loss');
  // The lottery's levels, the controls, and the copies the instability probe trained.
  for (const run of ['dense', 'ticket[1]', 'ticket[2]', 'reinit[1]', 'reinit[2]', 'lmc.copy0', 'lmc.copy1']) assert.ok(svg.includes(`>${run}</text>`), run);
  assert.match(caption, /7 runs\./);
});

test('the page is self-contained: no script, stylesheet, image or font is fetched', () => {
  const html = readFileSync(page, 'utf8');
  assert.doesNotMatch(html, /<script|<link|<img|@import|url\(\s*["']?https?:/i);
  assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//i);
});

test('SVG ids are unique across the page', () => {
  const ids = [...readFileSync(page, 'utf8').matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length);
});

test('each plot\'s Vega-Lite spec is written beside the page', () => {
  const specs = readdirSync(join(dir, 'report', 'specs')).sort();
  assert.deepEqual(specs, FIGURES.map((id) => `${id}.vl.json`).sort());
  const spec = JSON.parse(readFileSync(join(dir, 'report', 'specs', 'accuracy-vs-remaining.vl.json'), 'utf8'));
  assert.match(spec.$schema, /vega-lite/);
  assert.equal(spec.data.values.length, 3 + 2, 'three lottery levels and two reinit controls');
});

test('in headless Chromium every plot is drawn', { skip: CHROMIUM ? false : 'needs Debian\'s chromium (apt-get install chromium)' }, () => {
  // The page has no script of its own; a copy gets one that measures what the browser laid out.
  const measure = `<script>
    const figures = [...document.querySelectorAll('figure[data-figure]')].map((figure) => {
      const svg = figure.querySelector('svg');
      const box = svg.getBoundingClientRect();
      const marks = [...svg.querySelectorAll('g[class*="role-mark"] > *')].filter((m) => {
        const b = m.getBBox();
        return b.width > 0 || b.height > 0;
      });
      return { id: figure.dataset.figure, width: box.width, height: box.height, marks: marks.length };
    });
    document.body.setAttribute('data-measured', JSON.stringify(figures));
  </script>`;
  const probe = join(dir, 'measure.html');
  writeFileSync(probe, readFileSync(page, 'utf8').replace('</body>', `${measure}</body>`));
  const r = spawnSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--window-size=1200,900', '--dump-dom', pathToFileURL(probe).href], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const attribute = /data-measured="([^"]*)"/.exec(r.stdout);
  assert.ok(attribute, 'the measuring script ran');
  const measured = JSON.parse(attribute[1]!.replace(/&quot;/g, '"')) as { id: string; width: number; height: number; marks: number }[];
  assert.deepEqual(measured.map((m) => m.id), FIGURES.filter((id) => measured.some((m) => m.id === id)));
  assert.equal(measured.length, FIGURES.length);
  for (const m of measured) {
    assert.ok(m.width > 200 && m.height > 50, `${m.id} is laid out (${m.width}×${m.height})`);
    assert.ok(m.marks > 0, `${m.id} draws marks`);
  }
  const curve = measured.find((m) => m.id === 'accuracy-vs-remaining')!;
  assert.ok(curve.marks >= 5 + 2, 'a point per row and a line per series');
});
