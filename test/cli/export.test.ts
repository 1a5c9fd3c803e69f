// `ltx export` through the real binary on a tiny program computed once (./export-program.ts: a two-level
// lottery of 30-step runs on the bundled digits): the files parse by their published formats and hold the
// cached checkpoint's values, numpy (and the safetensors package, where installed) load them, families,
// masks, --layout torch, and the errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Checkpoint, Mask } from '../../core/artifacts.ts';
import { decodeArtifact } from '../../runtime/artifact-codec.ts';
import { Store } from '../../runtime/store/index.ts';
import { EXPORT_PROGRAM } from './export-program.ts';
import { parseSafetensors } from './safetensors-reader.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/ltx.js');

const dir = mkdtempSync(join(tmpdir(), 'ltx-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'tiny.ltx');
const cache = join(dir, 'cache');
writeFileSync(file, EXPORT_PROGRAM);

function ltx(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1', LTX_CACHE: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function python(script: string, ...args: string[]) {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const withNumpy = python('import numpy').status === 0 ? false : 'python3-numpy is not importable (apt-get install -y python3-numpy)';
const withSafetensors = python('import safetensors.numpy').status === 0 ? false : 'the safetensors Python package is not importable';

/** Stage keys by display name, from `ltx plan --json`. */
const keys = new Map<string, string>();

before(() => {
  const run = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(run.status, 0, run.stderr + run.stdout);
  for (const stage of JSON.parse(ltx(['plan', file, '--json', '--cache', cache]).stdout).stages) keys.set(stage.name, stage.id);
});

/** The artifact the store holds for the stage named `name`. */
async function cached(name: string): Promise<Checkpoint | Mask> {
  const store = new Store(cache);
  const record = (await store.lookup(keys.get(name)!))!;
  const artifact = decodeArtifact(await store.readOutput(record, Object.keys(record.outputs)[0]!));
  assert.notEqual(artifact.kind, 'probe');
  return artifact as Checkpoint | Mask;
}

function exported(path: string) {
  return parseSafetensors(new Uint8Array(readFileSync(join(dir, path))));
}

test('export NAME writes safetensors that parse by the format, with the cached checkpoint\'s weights, its mask and the metadata', async () => {
  const r = ltx(['export', file, 'imp[1]', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'wrote export/imp-level1.safetensors: imp[1], 4 parameters at step 30 and the mask of 2\n');
  const { header, metadata, values } = exported('export/imp-level1.safetensors');
  const checkpoint = await cached('imp[1]') as Checkpoint;
  assert.deepEqual(Object.keys(header).sort(), ['layer1.bias', 'layer1.weight', 'mask.layer1.weight', 'mask.output.weight', 'output.bias', 'output.weight']);
  for (const [param, weight] of checkpoint.weights) {
    assert.deepEqual([header[param]!.dtype, header[param]!.shape], ['F32', weight.shape], param);
    assert.deepEqual(values.get(param), [...weight.data], param);
  }
  for (const [param, mask] of checkpoint.mask!.masks) {
    assert.deepEqual([header[`mask.${param}`]!.dtype, header[`mask.${param}`]!.shape], ['U8', mask.shape], param);
    assert.deepEqual(values.get(`mask.${param}`), [...mask.data], param);
  }
  assert.deepEqual(metadata, {
    artifact: 'checkpoint', name: 'imp[1]', coordinates: '{"level":1}', model: JSON.stringify(checkpoint.model), step: '30', masked: 'true',
    stage_key: keys.get('imp[1]'), program: file, layout: 'ltx', ltx_version: metadata['ltx_version'],
  });
  assert.match(metadata['ltx_version']!, /^\d+\.\d+\.\d+/);
});

test('a family is a directory with one file per member, its coordinates in the name and the metadata', () => {
  const r = ltx(['export', file, 'imp', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(join(dir, 'export/imp')).sort(), ['imp-level0.safetensors', 'imp-level1.safetensors', 'imp-level2.safetensors']);
  for (const level of [0, 1, 2]) {
    const { metadata, header } = exported(`export/imp/imp-level${level}.safetensors`);
    assert.deepEqual([metadata['name'], metadata['coordinates'], metadata['masked']], [`imp[${level}]`, `{"level":${level}}`, String(level > 0)]);
    assert.equal('mask.layer1.weight' in header, level > 0, 'level 0 is the dense run');
  }
  assert.equal(exported('export/imp/imp-level0.safetensors').metadata['stage_key'], keys.get('dense 10→30'));
});

test('a mask exports uint8 arrays by parameter name', async () => {
  const r = ltx(['export', file, 'm[2]', '--cache', cache, '--out', 'masks/m2.safetensors']);
  assert.equal(r.status, 0, r.stderr);
  const { header, metadata, values } = exported('masks/m2.safetensors');
  const mask = await cached('imp.mask[2]') as Mask;
  assert.deepEqual(Object.keys(header), [...mask.masks.keys()]);
  for (const [param, m] of mask.masks) {
    assert.deepEqual([header[param]!.dtype, header[param]!.shape, values.get(param)], ['U8', m.shape, [...m.data]]);
  }
  assert.deepEqual([metadata['artifact'], metadata['name'], metadata['coordinates'], metadata['step']], ['mask', 'm[2]', '{"level":2}', undefined]);
});

test('RUN @ N steps exports the checkpoint where the program cut the run', () => {
  const r = ltx(['export', file, 'dense @ 10 steps', '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  const { metadata } = exported('export/dense-step10.safetensors');
  assert.deepEqual([metadata['step'], metadata['stage_key'], metadata['coordinates']], ['10', keys.get('dense 0→10'), '{"step":10}']);
});

test('--layout torch writes kernels and their masks [out, in], the rest as it is', () => {
  assert.equal(ltx(['export', file, 'imp[2]', '--cache', cache, '--out', 'ltx.safetensors']).status, 0);
  const r = ltx(['export', file, 'imp[2]', '--cache', cache, '--layout', 'torch', '--out', 'torch.safetensors']);
  assert.equal(r.status, 0, r.stderr);
  const ltxFile = exported('ltx.safetensors');
  const torch = exported('torch.safetensors');
  assert.equal(torch.metadata['layout'], 'torch');
  for (const name of ['layer1.weight', 'mask.layer1.weight', 'output.weight']) {
    const [rows, columns] = ltxFile.header[name]!.shape as [number, number];
    assert.deepEqual(torch.header[name]!.shape, [columns, rows], name);
    const original = ltxFile.values.get(name)!;
    const transposed = torch.values.get(name)!;
    for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) assert.equal(transposed[j * rows + i], original[i * columns + j]);
  }
  assert.deepEqual(torch.values.get('layer1.bias'), ltxFile.values.get('layer1.bias'));
});

test('numpy\'s np.load reads the npz export: the same arrays, dtypes and metadata', { skip: withNumpy }, async () => {
  const r = ltx(['export', file, 'imp[2]', '--cache', cache, '--format', 'npz']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote export\/imp-level2\.npz: /);
  const read = python(`import json, sys, numpy
with numpy.load(sys.argv[1]) as f:
    print(json.dumps({name: {"dtype": str(f[name].dtype), "shape": list(f[name].shape), "values": f[name].tolist()} for name in f.files}))`, join(dir, 'export/imp-level2.npz'));
  assert.equal(read.status, 0, read.stderr);
  const arrays = JSON.parse(read.stdout) as Record<string, { dtype: string; shape: number[]; values: unknown }>;
  const checkpoint = await cached('imp[2]') as Checkpoint;
  for (const [param, weight] of checkpoint.weights) {
    assert.deepEqual([arrays[param]!.dtype, arrays[param]!.shape], ['float32', weight.shape]);
    assert.deepEqual((arrays[param]!.values as number[] | number[][]).flat(), [...weight.data], param);
  }
  for (const [param, mask] of checkpoint.mask!.masks) {
    assert.deepEqual([arrays[`mask.${param}`]!.dtype, (arrays[`mask.${param}`]!.values as number[][]).flat()], ['uint8', [...mask.data]]);
  }
  const metadata = JSON.parse(arrays['__metadata__']!.values as string);
  assert.deepEqual([metadata.name, metadata.step, metadata.coordinates], ['imp[2]', '30', '{"level":2}']);
});

test('the safetensors Python package loads the export', { skip: withSafetensors }, async () => {
  assert.equal(ltx(['export', file, 'imp[2]', '--cache', cache]).status, 0);
  const read = python(`import json, sys
from safetensors.numpy import load_file
print(json.dumps({name: array.tolist() for name, array in load_file(sys.argv[1]).items()}))`, join(dir, 'export/imp-level2.safetensors'));
  assert.equal(read.status, 0, read.stderr);
  const checkpoint = await cached('imp[2]') as Checkpoint;
  assert.deepEqual(JSON.parse(read.stdout)['layer1.weight'].flat(), [...checkpoint.weights.get('layer1.weight')!.data]);
});

test('a member not computed yet: exit 1 naming it and the run that computes it; nothing is written', () => {
  const more = join(dir, 'more.ltx');
  writeFileSync(more, EXPORT_PROGRAM.replace('rounds: 2', 'rounds: 3'));
  const r = ltx(['export', more, 'imp', '--cache', cache, '--out', 'more']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `ltx export: not computed yet: imp[3]: run \`ltx run ${more} --only imp\` first\n`);
  assert.equal(existsSync(join(dir, 'more')), false);
});

test('usage errors exit 2: an unknown name with a did-you-mean, a probe, a bad --format, an unwritable --out', () => {
  const unknown = ltx(['export', file, 'imp.mask[9]x', '--cache', cache]);
  assert.deepEqual([unknown.status, unknown.stderr], [2, "ltx: ltx export: the program declares no 'imp.mask[9]x'; did you mean 'imp.mask[1]'?\n"]);
  const probe = ltx(['export', file, 'acc', '--cache', cache]);
  assert.deepEqual([probe.status, probe.stderr], [2, "ltx: ltx export: 'acc' is a probe: its numbers are in 'ltx results'; ltx export writes checkpoints and masks\n"]);
  const format = ltx(['export', file, 'dense', '--format', 'pt', '--cache', cache]);
  assert.deepEqual([format.status, format.stderr], [2, 'ltx: ltx export: --format pt: expected one of safetensors, npz\n']);
  writeFileSync(join(dir, 'a-file'), '');
  const blocked = ltx(['export', file, 'imp', '--cache', cache, '--out', 'a-file/imp']);
  assert.equal(blocked.status, 2);
  assert.match(blocked.stderr, /^ltx: ltx export: --out a-file\/imp: cannot write a-file\/imp\/imp-level0\.safetensors \(ENOTDIR: a part of the path is a file\)\n$/);
});

test('--out naming a directory puts the file inside it', () => {
  mkdirSync(join(dir, 'weights'), { recursive: true });
  const r = ltx(['export', file, 'dense', '--cache', cache, '--out', 'weights']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(exported('weights/dense.safetensors').metadata['name'], 'dense');
});

test('ltx export --help gives the usage, and the overview lists the command', () => {
  const help = ltx(['export', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: ltx export FILE NAME \[--format safetensors\|npz\] \[--layout ltx\|torch\] \[--out PATH\]/);
  assert.match(ltx(['--help']).stdout, /^ {2}export FILE NAME /m);
});
