// Stage implementations live with their ops: the Library's implementationFor(stageOp) is the one lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLibrary, stageOpOf } from '../../core/library.ts';
import type { LoweringRule, OpModule } from '../../core/op.ts';
import { standardLibrary, standardModules } from '../../stdlib/library.ts';
import { context, stage } from '../training/helpers.ts';

/** The rules whose ops make stages of their own (the others make descriptors, or the stages of other rules). */
const STAGE_RULES: readonly LoweringRule[] = ['init', 'run', 'magnitude-mask', 'random-mask', 'rewind', 'reinit', 'probe'];

test('every op that makes stages has an implementation of its stage op', () => {
  const makers = standardModules.filter((m) => STAGE_RULES.includes(m.lowering.rule));
  assert.ok(makers.length >= 20, 'inits, training, pruning and probes');
  for (const module of makers) {
    assert.equal(typeof module.implementation, 'function', module.name);
    assert.equal(standardLibrary.implementationFor(stageOpOf(module)), module.implementation, module.name);
  }
});

test('every init scheme shares the init stage op, and fit is the train stage op', () => {
  const init = standardLibrary.implementationFor('init');
  assert.equal(typeof init, 'function');
  for (const scheme of standardModules.filter((m) => m.category === 'init')) assert.equal(scheme.implementation, init, scheme.name);
  assert.equal(standardLibrary.op('fit')!.implementation, standardLibrary.implementationFor('train'));
  assert.equal(standardLibrary.implementationFor('fit'), undefined, 'stages carry the stage op, not the call');
});

test('a stage op no module implements has no implementation', () => {
  assert.equal(standardLibrary.implementationFor('tea_leaves'), undefined);
});

test('a library built with one more op implements it', async () => {
  const constant: OpModule = {
    ...standardLibrary.op('sparsity')!, name: 'constant_probe', summary: 'Always 42.',
    implementation: async () => ({ kind: 'probe', metrics: { answer: 42 } }),
  };
  const library = createLibrary([...standardModules, constant]);
  const s = stage('constant_probe', {});
  assert.deepEqual(await library.implementationFor('constant_probe')!(s, {}, context()), { kind: 'probe', metrics: { answer: 42 } });
  assert.equal(library.implementationFor('accuracy'), standardLibrary.implementationFor('accuracy'));
});
