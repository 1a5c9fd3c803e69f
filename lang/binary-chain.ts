// A run of operators `a + b - c * d` is a left-deep tree as deep as the run is long. Walking it by
// recursion on `left` would run out of stack on a long sum, so tree walks take the run as a chain.
import type { BinaryExpression, BinaryOperator, Expression } from './ast.ts';

export interface BinaryLink {
  operator: BinaryOperator;
  right: Expression;
  /** The node applying this operator: its range covers everything up to `right`. */
  node: BinaryExpression;
}

/** The leftmost operand and the operators applied to it in order: `((first op1 r1) op2 r2) …`. */
export function binaryChain(expression: BinaryExpression): { first: Expression; links: BinaryLink[] } {
  const links: BinaryLink[] = [];
  let node: Expression = expression;
  while (node.type === 'Binary') {
    links.push({ operator: node.operator, right: node.right, node });
    node = node.left;
  }
  return { first: node, links: links.reverse() };
}

/** Every operand of the chain, left to right. */
export function binaryOperands(expression: BinaryExpression): Expression[] {
  const { first, links } = binaryChain(expression);
  return [first, ...links.map((link) => link.right)];
}
