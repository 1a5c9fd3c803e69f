// The names an expression refers to, for telling which params (and so which `--set` flags) a value
// comes from.
import type { Expression } from '../lang/ast.ts';

function subexpressions(expression: Expression): Expression[] {
  switch (expression.type) {
    case 'Quantity': return [expression.amount];
    case 'List': return expression.items;
    case 'Record': return expression.entries.map((entry) => entry.value);
    case 'Range': return [expression.from, expression.to];
    case 'Member': return [expression.object];
    case 'Index': return expression.index ? [expression.object, expression.index] : [expression.object];
    case 'Call': return expression.args.map((arg) => arg.value);
    case 'At': return [expression.run, expression.at];
    case 'Binary': return [expression.left, expression.right];
    case 'Unary': return [expression.operand];
    case 'Paren': return [expression.expression];
    default: return [];
  }
}

/** Every name `expression` refers to (function names excluded). A loop: a long sum is a deep tree. */
export function referencedNames(expression: Expression): Set<string> {
  const names = new Set<string>();
  const pending = [expression];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.type === 'Reference') names.add(next.name);
    else pending.push(...subexpressions(next));
  }
  return names;
}
