// Where a failure is remembered: `ltx run` notes each failed stage in the cache (CACHE/failures/KEY.json),
// the readers find the failure behind a stage without a result (its own, else the nearest stage it needs),
// and a result makes the note void.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FailedInputs, recordFailures } from '../../cli/failure-notes.ts';
import type { StageReport } from '../../runtime/scheduler.ts';
import { Store } from '../../runtime/store/index.ts';
import { makeStage, programOf } from '../runtime/helpers.ts';
import { bytesOf, commitInfo, freshStoreRoot } from '../store/helpers.ts';

const init = makeStage('w0', 'source', { value: 1 });
const train = makeStage('dense', 'sum', {}, { start: init });
const mask = makeStage('m', 'sum', {}, { weights: train });
const probe = makeStage('acc', 'measure', {}, { x: mask });
const program = programOf([init, train, mask, probe]);

const failed = (stage: typeof train, error: string): StageReport => ({ key: stage.key, name: stage.name, status: 'failed', seconds: 0, error });

test('a failed stage is the failure of itself and of every stage that needs it; the nearest failure wins', async () => {
  const store = new Store(await freshStoreRoot());
  await recordFailures(store, [failed(train, 'loss became NaN at step 3')]);
  assert.ok(existsSync(join(store.root, 'failures', `${train.key}.json`)));
  const failures = new FailedInputs(program, store);
  for (const stage of [train, mask, probe]) {
    assert.deepEqual(await failures.of(stage.key), { stage: 'dense', error: 'loss became NaN at step 3', failedAt: (await failures.of(train.key))!.failedAt });
  }
  assert.equal(await failures.of(init.key), undefined);

  await recordFailures(store, [failed(mask, 'out of memory')]);
  assert.equal((await new FailedInputs(program, store).of(probe.key))?.stage, 'm');
});

test('a run that gives the stage its result removes its note; a note beside a result says nothing', async () => {
  const store = new Store(await freshStoreRoot());
  await recordFailures(store, [failed(train, 'loss became NaN at step 3')]);
  await recordFailures(store, [{ key: train.key, name: train.name, status: 'done', seconds: 1 }]);
  assert.equal(existsSync(join(store.root, 'failures', `${train.key}.json`)), false);
  assert.equal(await new FailedInputs(program, store).of(probe.key), undefined);

  // Another run computed it while this one's note stayed.
  await recordFailures(store, [failed(mask, 'out of memory')]);
  await store.commit(mask.key, { op: mask.op, version: 1, params: {}, inputs: [] }, { out: { kind: 'table', bytes: bytesOf('mask') } }, commitInfo);
  assert.equal(await new FailedInputs(program, store).of(probe.key), undefined);
});
