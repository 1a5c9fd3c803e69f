// The device cache: least recently used out first, within a byte budget; byte sizes on the command line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Checkpoint } from '../../core/artifacts.ts';
import { artifactBytes, DeviceCache, formatBytes, parseByteSize } from '../../runtime/device-cache.ts';

const sized = (budget: number, evicted: string[] = []) => new DeviceCache<number>(budget, (bytes) => bytes, (key) => evicted.push(key));

test('values beyond the budget push out the least recently used', () => {
  const evicted: string[] = [];
  const cache = sized(100, evicted);
  cache.set('init', 40);
  cache.set('rewind', 40);
  cache.get('init');
  cache.set('level1', 40);
  assert.deepEqual(evicted, ['rewind']);
  assert.deepEqual(cache.keys(), ['init', 'level1']);
  assert.equal(cache.bytes, 80);
});

test('a value larger than the whole budget is not kept and evicts nothing', () => {
  const cache = sized(100);
  cache.set('small', 10);
  cache.set('huge', 101);
  assert.equal(cache.has('huge'), false);
  assert.deepEqual(cache.keys(), ['small']);
});

test('replacing a key counts its bytes once', () => {
  const cache = sized(100);
  cache.set('a', 30);
  cache.set('a', 50);
  assert.equal(cache.bytes, 50);
});

test('a checkpoint weighs its weights, optimizer slots and mask', () => {
  const checkpoint: Checkpoint = {
    kind: 'checkpoint', model: { op: 'mlp', version: 1, params: {} }, step: 3,
    weights: new Map([['w', { shape: [10], data: new Float32Array(10) }]]),
    optimizer: { op: 'sgd', updates: 3, slots: new Map([['momentum/w', { shape: [10], data: new Float32Array(10) }]]) },
    mask: { kind: 'mask', model: { op: 'mlp', version: 1, params: {} }, masks: new Map([['w', { shape: [10], data: new Uint8Array(10) }]]) },
  };
  assert.equal(artifactBytes(checkpoint), 40 + 40 + 10);
});

test('byte sizes: decimal and binary units, bare numbers; anything else is refused', () => {
  assert.equal(parseByteSize('512MB'), 512_000_000);
  assert.equal(parseByteSize('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseByteSize('64m'), 64 * 1024 ** 2);
  assert.equal(parseByteSize('4096'), 4096);
  assert.equal(parseByteSize('0'), 0);
  assert.equal(parseByteSize('lots'), undefined);
  assert.equal(parseByteSize('12 parsecs'), undefined);
  assert.equal(parseByteSize('-5MB'), undefined);
  assert.equal(formatBytes(512 * 1024 ** 2), '512 MiB');
});
