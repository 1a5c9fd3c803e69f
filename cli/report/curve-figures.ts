// The report's training-curve plots: the training loss of every run, a panel each, and — where a
// schedule changes it — the learning rate. Pure: the curves `ltx results --json` gives in, figures out.
import type { ProgramRunCurve } from '../training-curves.ts';
import { SCHEMA, WIDTH, type Figure } from './figures.ts';

const COLUMNS = 3;

export function curveFigures(curves: Record<string, ProgramRunCurve>): Figure[] {
  const runs = Object.entries(curves).filter(([, curve]) => curve.step.length > 0);
  if (runs.length === 0) return [];
  const figures = [trainingLoss(runs)];
  if (runs.some(([, curve]) => new Set(curve.lr).size > 1)) figures.push(learningRate(runs));
  return figures;
}

function trainingLoss(runs: [string, ProgramRunCurve][]): Figure {
  const data = runs.flatMap(([run, curve]) => curve.step.map((step, i) => ({ run, step, loss: curve.loss[i]! })));
  // Losses fall over orders of magnitude; a log scale needs them all above zero (an exact fit reaches 0).
  const log = data.every((d) => d.loss > 0);
  const columns = Math.min(runs.length, COLUMNS);
  const partial = runs.filter(([, curve]) => curve.step.at(-1) !== curve.steps).map(([run, curve]) => `${run} (to step ${curve.step.at(-1)} of ${curve.steps})`);
  const every = [...new Set(runs.map(([, curve]) => curve.every))];
  return {
    id: 'training-loss',
    title: 'Training loss',
    caption:
      `The training loss of each run, ${every.length === 1 && every[0] === 1 ? 'at every step' : `as the mean over each ${every.join(' or ')} steps`} ` +
      `(the minibatch loss before the step's update), recorded while it trained${log ? '; log scale' : ''}. A run that ` +
      `continues another's optimizer state continues its curve; one that starts from a rewound or fresh checkpoint ` +
      `(a lottery's levels, the controls) starts its own at that step. ${runs.length} run${runs.length === 1 ? '' : 's'}` +
      `${partial.length > 0 ? `; not finished yet: ${partial.join(', ')}` : ''}.`,
    spec: {
      $schema: SCHEMA,
      data: { values: data },
      facet: { field: 'run', type: 'nominal', title: null, sort: runs.map(([run]) => run) },
      columns,
      spec: {
        width: Math.max(150, Math.floor(WIDTH / columns) - 20), height: 130,
        mark: { type: 'line', strokeWidth: 1 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: log ? { type: 'log' } : { zero: false } },
          tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'loss', format: '.4f' }],
        },
      },
    },
  };
}

function learningRate(runs: [string, ProgramRunCurve][]): Figure {
  const data = runs.flatMap(([run, curve]) => curve.step.map((step, i) => ({ run, step, lr: curve.lr[i]! })));
  return {
    id: 'learning-rate',
    title: 'Learning rate',
    caption: `The learning rate of each run's steps, as its optimizer's schedule (warmup, decay) set it. ${runs.length} run${runs.length === 1 ? '' : 's'}.`,
    spec: {
      $schema: SCHEMA, width: WIDTH, height: 200,
      data: { values: data },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'lr', type: 'quantitative', title: 'learning rate' },
        color: { field: 'run', type: 'nominal', title: 'run', sort: runs.map(([run]) => run) },
        tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'lr', format: '.3g' }],
      },
    },
  };
}
