// Walking the tree by position: the nodes around an offset, outermost first, and every node in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProgram } from '../../lang/parse.ts';
import { allNodes, nodesAt } from '../../lang/syntax-walk.ts';

const TEXT = 'for i in 1..2 {\n  mask m[i] = magnitude(t[i - 1], rate: 20%)\n}\n';
const { program } = parseProgram(TEXT, 'walk.ltx');

test('the nodes at an offset go from the program down to the innermost node there', () => {
  const path = nodesAt(program, TEXT.indexOf('i - 1'));
  assert.deepEqual(path.map((n) => n.type), ['Program', 'For', 'Declaration', 'Call', 'Argument', 'Index', 'Binary', 'Reference']);
});

test('a cursor right after a name is on that name', () => {
  const path = nodesAt(program, TEXT.indexOf('magnitude') + 'magnitude'.length);
  assert.equal(path[path.length - 1]!.type, 'Identifier');
});

test('every node is visited once, parents before children, in source order', () => {
  const kinds = [...allNodes(program)].map((n) => n.type);
  assert.equal(kinds[0], 'Program');
  assert.equal(kinds.filter((k) => k === 'Reference').length, 3);
  assert.ok(kinds.indexOf('Call') < kinds.indexOf('Argument'));
});
