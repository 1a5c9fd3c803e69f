// Dependencies first, without recursion: the stage graph of a program can hold chains of thousands of
// runs and masks (a long IMP, a loop where each level trains from the last), and a recursive walk
// down such a chain would run out of call stack.

/**
 * Calls `visit` on everything `root` depends on, each item after its own inputs and in the order
 * `inputs` lists them (the order a recursive walk would take), skipping items `done` says are done
 * and their inputs. `root` itself is not visited: its caller handles it once its inputs are ready.
 */
export function visitInputsFirst<T>(root: T, inputs: (item: T) => readonly T[], done: (item: T) => boolean, visit: (item: T) => void): void {
  const stack: { item: T; expanded: boolean }[] = [{ item: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.item !== root && done(top.item)) {
      stack.pop();
      continue;
    }
    if (!top.expanded) {
      top.expanded = true;
      const next = inputs(top.item);
      for (let i = next.length - 1; i >= 0; i--) stack.push({ item: next[i]!, expanded: false });
      continue;
    }
    stack.pop();
    if (top.item !== root) visit(top.item);
  }
}
