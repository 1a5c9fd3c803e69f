// Which stages `ltx export NAME` designates, on a compiled program (nothing runs): declarations, lottery
// levels, families with their coordinates, stage names, a run's checkpoint at a step, and the errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CompiledProgram } from '../../compiler/compile.ts';
import { compileFile } from '../../cli/compile-file.ts';
import { ExportNameError, exportTarget } from '../../cli/export/targets.ts';
import { EXPORT_PROGRAM } from './export-program.ts';

const dir = mkdtempSync(join(tmpdir(), 'ltx-export-targets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'p.ltx'), EXPORT_PROGRAM);
const program: CompiledProgram = await compileFile(join(dir, 'p.ltx'), { sets: [] });

function summary(name: string) {
  const target = exportTarget(program, name);
  return { family: target.family, stem: target.stem, members: target.members.map((m) => ({ label: m.label, stem: m.stem, coordinates: m.coordinates, stage: m.stage.name })) };
}

test('a declaration is one member, with its loop coordinates', () => {
  assert.deepEqual(summary('dense'), { family: false, stem: 'dense', members: [{ label: 'dense', stem: 'dense', coordinates: {}, stage: 'dense 10→30' }] });
  assert.deepEqual(summary('t[ 2 ]').members, [{ label: 't[2]', stem: 't-level2', coordinates: { level: 2 }, stage: 'imp[2]' }]);
  assert.deepEqual(summary('m[1]').members.map((m) => [m.stem, m.stage]), [['m-level1', 'imp.mask[1]']]);
});

test('a lottery is the family of its levels 0..rounds, level 0 the dense run; imp[k] is one level', () => {
  const imp = summary('imp');
  assert.equal(imp.family, true);
  assert.deepEqual(imp.members.map((m) => [m.label, m.stem, m.coordinates, m.stage]), [
    ['imp[0]', 'imp-level0', { level: 0 }, 'dense 10→30'],
    ['imp[1]', 'imp-level1', { level: 1 }, 'imp[1]'],
    ['imp[2]', 'imp-level2', { level: 2 }, 'imp[2]'],
  ]);
  assert.deepEqual(summary('imp[0]'), { family: false, stem: 'imp-0', members: [imp.members[0]!] });
  assert.throws(() => exportTarget(program, 'imp[3]'), /'imp\[3\]': imp has levels 0 to 2/);
});

test('an indexed name used whole is the family of its members; a lottery\'s masks are imp.mask', () => {
  assert.deepEqual(summary('t').members.map((m) => [m.stem, m.coordinates]), [['t-level0', { level: 0 }], ['t-level1', { level: 1 }], ['t-level2', { level: 2 }]]);
  assert.deepEqual(summary('imp.mask').members.map((m) => [m.label, m.stem, m.stage]), [['imp.mask[1]', 'imp.mask-level1', 'imp.mask[1]'], ['imp.mask[2]', 'imp.mask-level2', 'imp.mask[2]']]);
  assert.deepEqual(summary('imp.mask[2]').members.map((m) => m.stem), ['imp.mask-level2']);
});

test('RUN @ N steps is the checkpoint where a segment of the run ends, or where the run starts', () => {
  assert.deepEqual(summary('dense @ 10 steps').members, [{ label: 'dense @ 10 steps', stem: 'dense-step10', coordinates: { step: 10 }, stage: 'dense 0→10' }]);
  assert.equal(summary('dense @ 30 steps').members[0]!.stage, 'dense 10→30');
  assert.equal(summary('dense@0').members[0]!.stage, 'w0');
  assert.deepEqual(summary('imp[1] @ 10 steps').members.map((m) => [m.stem, m.coordinates, m.stage]), [['imp-level1-step10', { level: 1, step: 10 }, 'imp.rewind[1]']]);
  assert.throws(() => exportTarget(program, 'dense @ 20 steps'), /dense's checkpoints at steps 0, 10, 30 only/);
  assert.throws(() => exportTarget(program, 'dense @ 1 epoch'), /write the step as a number of steps/);
  assert.throws(() => exportTarget(program, 'imp @ 10 steps'), /'imp' is a family; name one of its members/);
});

test('a stage name is one member', () => {
  assert.deepEqual(summary('dense 0→10').members.map((m) => [m.stem, m.stage]), [['dense-0-10', 'dense 0→10']]);
});

test('names without weights or mask, and unknown names, are refused with the reason', () => {
  const refused = (name: string, message: RegExp) => assert.throws(() => exportTarget(program, name), (e: Error) => e instanceof ExportNameError && message.test(e.message));
  refused('densee', /the program declares no 'densee'; did you mean 'dense'\?/);
  refused('acc', /'acc' is a probe: its numbers are in 'ltx results'/);
  refused('net', /'net' is a model: it has no weights or mask to export/);
  refused('d', /'d' is a dataset/);
});
