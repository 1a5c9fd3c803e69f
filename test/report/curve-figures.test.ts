// The report's training-curve plots: a panel of training loss per run, the learning rate where a
// schedule changes it. Pure: curves are written out here as `ltx results --json` would give them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { curveFigures } from '../../cli/report/curve-figures.ts';
import type { ProgramRunCurve } from '../../cli/training-curves.ts';

function curve(loss: number[], lr: number[] = loss.map(() => 0.1), steps = loss.length, first = 1): ProgramRunCurve {
  return { every: 1, steps, step: loss.map((_, i) => first + i), loss, lr };
}

type Spec = { data: { values: Record<string, unknown>[] }; facet?: { field: string; sort: string[] }; spec?: { encoding: { y: { scale: { type?: string } } } } };

test('training loss: one panel per run, in program order, every point of every curve, on a log scale', () => {
  const [figure, ...others] = curveFigures({ dense: curve([2.3, 1.1, 0.4]), 'ticket[1]': curve([0.9, 0.3], undefined, 3, 2) });
  assert.equal(figure?.id, 'training-loss');
  assert.deepEqual(others, [], 'a constant learning rate gets no plot');
  const spec = figure.spec as unknown as Spec;
  assert.equal(spec.facet?.field, 'run');
  assert.deepEqual(spec.facet?.sort, ['dense', 'ticket[1]']);
  assert.deepEqual(spec.data.values.filter((d) => d['run'] === 'ticket[1]'), [{ run: 'ticket[1]', step: 2, loss: 0.9 }, { run: 'ticket[1]', step: 3, loss: 0.3 }]);
  assert.equal(spec.spec?.encoding.y.scale.type, 'log');
  assert.match(figure.caption, /at every step/);
  assert.match(figure.caption, /2 runs\./);
});

test('a loss that reaches zero is drawn on a linear scale; a run not finished yet is named in the caption', () => {
  const [figure] = curveFigures({ dense: curve([0.5, 0], undefined, 10) });
  assert.equal((figure!.spec as unknown as Spec).spec?.encoding.y.scale.type, undefined);
  assert.match(figure!.caption, /not finished yet: dense \(to step 2 of 10\)/);
});

test('a learning rate that a schedule changes gets its own plot, one line per run', () => {
  const figures = curveFigures({ dense: curve([2, 1, 0.5], [0.1, 0.1, 0.05]) });
  assert.deepEqual(figures.map((f) => f.id), ['training-loss', 'learning-rate']);
  assert.deepEqual((figures[1]!.spec as unknown as Spec).data.values.map((d) => d['lr']), [0.1, 0.1, 0.05]);
});

test('no curves, no plots', () => {
  assert.deepEqual(curveFigures({}), []);
});
