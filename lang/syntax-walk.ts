// Walking the syntax tree generically, for tools that ask "what is at this offset?" (the language
// server's hover, completion, navigation) rather than interpreting the program.
import type { Node, Program } from './ast.ts';

/** The direct children of a node, in source order. */
export function childrenOf(node: Node): Node[] {
  switch (node.type) {
    case 'Program': return node.body;
    case 'Declaration': return [node.name, ...node.indices, node.value];
    case 'For': return [node.variable, node.iterable, ...node.body];
    case 'Import': return [node.path];
    case 'Quantity': return [node.amount];
    case 'List': return node.items;
    case 'Record': return node.entries;
    case 'RecordEntry': return [node.key, node.value];
    case 'Range': return [node.from, node.to];
    case 'Member': return [node.object, node.property];
    case 'Index': return node.index ? [node.object, node.index] : [node.object];
    case 'Call': return [node.callee, ...node.args];
    case 'Argument': return node.name ? [node.name, node.value] : [node.value];
    case 'At': return [node.run, node.at];
    case 'Binary': return [node.left, node.right];
    case 'Unary': return [node.operand];
    case 'Paren': return [node.expression];
    default: return [];
  }
}

/**
 * The nodes whose range holds `offset`, outermost first (the program, a statement, …, the innermost
 * node). A range holds its end too, so that a cursor right after a name is on that name.
 */
export function nodesAt(program: Program, offset: number): Node[] {
  const path: Node[] = [program];
  let current: Node = program;
  for (;;) {
    const inner: Node | undefined = childrenOf(current).find((child) => child.range.start.offset <= offset && offset <= child.range.end.offset);
    if (inner === undefined) return path;
    path.push(inner);
    current = inner;
  }
}

/** Every node of the tree, parents before children (a loop: a long sum is a deep tree). */
export function* allNodes(root: Node): Generator<Node> {
  const pending: Node[] = [root];
  while (pending.length > 0) {
    const next = pending.pop()!;
    yield next;
    const children = childrenOf(next);
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
}
