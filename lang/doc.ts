// A small layout algebra for the formatter (after Wadler's "prettier printer"): documents made of
// text, groups that print flat when they fit and broken otherwise, line breaks and indentation.
// A group containing a forced line break (a comment, a broken inner group) is always broken.

export type Doc = string | readonly Doc[] | Group | Indent | Line | HardLine | IfBreak | LineSuffix;

interface Group {
  kind: 'group';
  contents: Doc;
  /** True when the group can never be flat (it holds a hard line break). */
  broken: boolean;
}

interface Indent {
  kind: 'indent';
  contents: Doc;
}

/** A space (`soft`: nothing) when its group is flat, a line break when broken. */
interface Line {
  kind: 'line';
  soft: boolean;
}

interface HardLine {
  kind: 'hardline';
}

interface IfBreak {
  kind: 'ifBreak';
  broken: Doc;
  flat: Doc;
}

/** Text that does not count towards the width (a trailing comment); a line break must follow it. */
interface LineSuffix {
  kind: 'lineSuffix';
  text: string;
}

export const line: Line = { kind: 'line', soft: false };
export const softline: Line = { kind: 'line', soft: true };
export const hardline: HardLine = { kind: 'hardline' };

export function indent(contents: Doc): Indent {
  return { kind: 'indent', contents };
}

export function ifBreak(broken: Doc, flat: Doc = ''): IfBreak {
  return { kind: 'ifBreak', broken, flat };
}

export function lineSuffix(text: string): LineSuffix {
  return { kind: 'lineSuffix', text };
}

export function group(contents: Doc, options: { broken?: boolean } = {}): Group {
  return { kind: 'group', contents, broken: options.broken === true || mustBreak(contents) };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const joined: Doc[] = [];
  docs.forEach((doc, i) => {
    if (i > 0) joined.push(separator);
    joined.push(doc);
  });
  return joined;
}

/** Whether `doc` holds a hard line break outside of any inner group (inner groups carry their own flag). */
function mustBreak(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (isDocList(doc)) return doc.some(mustBreak);
  switch (doc.kind) {
    case 'group':
      return doc.broken;
    case 'indent':
      return mustBreak(doc.contents);
    case 'hardline':
      return true;
    case 'ifBreak':
      return mustBreak(doc.broken);
    default:
      return false;
  }
}

function isDocList(doc: Doc): doc is readonly Doc[] {
  return Array.isArray(doc);
}

type Mode = 'flat' | 'break';

interface Command {
  indentation: number;
  mode: Mode;
  doc: Doc;
}

/** Lay `doc` out in lines of at most `width` columns where possible; no trailing spaces. */
export function printDoc(doc: Doc, width: number): string {
  const out: string[] = [];
  let column = 0;
  const stack: Command[] = [{ indentation: 0, mode: 'break', doc }];

  const newline = (indentation: number): void => {
    trimTrailingSpaces(out);
    out.push('\n', ' '.repeat(indentation));
    column = indentation;
  };

  while (stack.length > 0) {
    const { indentation, mode, doc: current } = stack.pop()!;
    if (typeof current === 'string') {
      out.push(current);
      column += current.length;
      continue;
    }
    if (isDocList(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ indentation, mode, doc: current[i]! });
      continue;
    }
    switch (current.kind) {
      case 'indent':
        stack.push({ indentation: indentation + 2, mode, doc: current.contents });
        break;
      case 'group': {
        const flat: Command = { indentation, mode: 'flat', doc: current.contents };
        if (!current.broken && (mode === 'flat' || fits(flat, stack, width - column))) stack.push(flat);
        else stack.push({ indentation, mode: 'break', doc: current.contents });
        break;
      }
      case 'line':
        if (mode === 'break') newline(indentation);
        else if (!current.soft) {
          out.push(' ');
          column += 1;
        }
        break;
      case 'hardline':
        newline(indentation);
        break;
      case 'ifBreak':
        stack.push({ indentation, mode, doc: mode === 'break' ? current.broken : current.flat });
        break;
      case 'lineSuffix':
        out.push(current.text);
        break;
    }
  }
  trimTrailingSpaces(out);
  return out.join('');
}

/**
 * Whether `next` fits in `remaining` columns, counting what follows it on the same line (the
 * rest of the stack, in its own modes) up to the next line break.
 */
function fits(next: Command, rest: readonly Command[], remaining: number): boolean {
  const pending: Command[] = [next];
  let restIndex = rest.length;
  let left = remaining;
  while (left >= 0) {
    if (pending.length === 0) {
      if (restIndex === 0) return true;
      pending.push(rest[--restIndex]!);
      continue;
    }
    const { mode, doc, indentation } = pending.pop()!;
    if (typeof doc === 'string') {
      left -= doc.length;
      continue;
    }
    if (isDocList(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) pending.push({ indentation, mode, doc: doc[i]! });
      continue;
    }
    switch (doc.kind) {
      case 'indent':
        pending.push({ indentation, mode, doc: doc.contents });
        break;
      case 'group':
        pending.push({ indentation, mode: doc.broken ? 'break' : mode, doc: doc.contents });
        break;
      case 'line':
        if (mode === 'break') return true;
        if (!doc.soft) left -= 1;
        break;
      case 'hardline':
        return true;
      case 'ifBreak':
        pending.push({ indentation, mode, doc: mode === 'break' ? doc.broken : doc.flat });
        break;
      case 'lineSuffix':
        break;
    }
  }
  return false;
}

function trimTrailingSpaces(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    const trimmed = last.replace(/ +$/, '');
    if (trimmed !== '') {
      out[out.length - 1] = trimmed;
      return;
    }
    out.pop();
  }
}
