// Decides where the formatter prints each comment, so that none is dropped or duplicated and a
// second formatting pass places every comment exactly where the first one printed it.
//
// Comments live in containers: the program, a for body, a call's arguments, a list, a record. A
// comment belongs to the innermost container whose brackets enclose it, and within it to an
// element (statement, argument, item, entry):
// - a comment alone on its line is *leading*: printed on its own line before the next element
//   (or, with no element after it, *dangling* before the closing bracket / at the end of file);
// - a comment after code on its line is *trailing*: printed at the end of the element that ends on
//   that line, or right after the opening bracket when it shares the bracket's line;
// - a comment inside an element that cannot be broken (say `t[ # c` … `]`) moves just before
//   (leading) or after (trailing) that element.
import type {
  Argument,
  CallExpression,
  Comment,
  Expression,
  ForStatement,
  ListExpression,
  Program,
  RecordEntry,
  RecordExpression,
  SourceRange,
  Statement,
} from './ast.ts';
import { binaryOperands } from './binary-chain.ts';
import type { LineIndex } from './source-text.ts';

export type ContainerOwner = Program | ForStatement | CallExpression | ListExpression | RecordExpression;
export type Element = Statement | Argument | Expression | RecordEntry;

interface Container {
  owner: ContainerOwner;
  /** Offsets strictly inside the brackets: [start, end). */
  interiorStart: number;
  interiorEnd: number;
  /** The line of the opening bracket (0 for the program, which has none). */
  openLine: number;
  elements: readonly Element[];
}

export interface CommentPlacement {
  leading: Map<Element, Comment[]>;
  trailing: Map<Element, Comment[]>;
  /** Own-line comments after the last element of a container. */
  dangling: Map<ContainerOwner, Comment[]>;
  /** Comments on the line of a container's opening bracket (and a for loop's header). */
  afterOpen: Map<ContainerOwner, Comment[]>;
}

function add<K>(map: Map<K, Comment[]>, key: K, comment: Comment): void {
  const list = map.get(key);
  if (list) list.push(comment);
  else map.set(key, [comment]);
}

function contains(range: SourceRange, offset: number): boolean {
  return range.start.offset <= offset && offset < range.end.offset;
}

export class CommentPlacer {
  private readonly source: string;
  private readonly lines: LineIndex;
  readonly placement: CommentPlacement = { leading: new Map(), trailing: new Map(), dangling: new Map(), afterOpen: new Map() };

  constructor(source: string, lines: LineIndex) {
    this.source = source;
    this.lines = lines;
  }

  /** The offset of the first character at or after `offset` that is neither blank nor in a comment. */
  nextCodeOffset(offset: number): number {
    let at = offset;
    while (at < this.source.length) {
      const ch = this.source[at]!;
      if (ch === '#') {
        while (at < this.source.length && this.source[at] !== '\n' && this.source[at] !== '\r') at++;
      } else if (/\s/.test(ch)) at++;
      else return at;
    }
    return at;
  }

  /** The offset of a for loop's `{`. */
  bodyOpenOffset(statement: ForStatement): number {
    return this.nextCodeOffset(statement.iterable.range.end.offset);
  }

  private container(owner: ContainerOwner): Container {
    const openLine = (openOffset: number): number => this.lines.position(openOffset).line;
    switch (owner.type) {
      case 'Program':
        return { owner, interiorStart: 0, interiorEnd: this.source.length, openLine: 0, elements: owner.body };
      case 'For': {
        const open = this.bodyOpenOffset(owner);
        return { owner, interiorStart: open + 1, interiorEnd: owner.range.end.offset - 1, openLine: openLine(open), elements: owner.body };
      }
      case 'Call': {
        const open = this.nextCodeOffset(owner.callee.range.end.offset);
        return { owner, interiorStart: open + 1, interiorEnd: owner.range.end.offset - 1, openLine: openLine(open), elements: owner.args };
      }
      case 'List':
      case 'Record': {
        const open = owner.range.start.offset;
        const elements = owner.type === 'List' ? owner.items : owner.entries;
        return { owner, interiorStart: open + 1, interiorEnd: owner.range.end.offset - 1, openLine: openLine(open), elements };
      }
    }
  }

  private isInterior(container: Container, offset: number): boolean {
    return container.interiorStart <= offset && offset < container.interiorEnd;
  }

  /** The outermost container inside `node` whose brackets enclose `offset`. */
  private innerContainer(node: Element, offset: number): Container | undefined {
    if (!contains(node.range, offset)) return undefined;
    switch (node.type) {
      case 'Call':
      case 'List':
      case 'Record':
      case 'For': {
        const container = this.container(node);
        if (this.isInterior(container, offset)) return container;
        return node.type === 'For' ? this.innerContainer(node.iterable, offset) : undefined;
      }
      default:
        for (const child of children(node)) {
          const found = this.innerContainer(child, offset);
          if (found) return found;
        }
        return undefined;
    }
  }

  /** True when code precedes the comment on its line. */
  private followsCode(comment: Comment): boolean {
    const lineStart = comment.range.start.offset - (comment.range.start.column - 1);
    return this.source.slice(lineStart, comment.range.start.offset).trim() !== '';
  }

  place(program: Program, comments: readonly Comment[]): CommentPlacement {
    for (const comment of comments) this.placeOne(this.container(program), comment);
    return this.placement;
  }

  private placeOne(root: Container, comment: Comment): void {
    const offset = comment.range.start.offset;
    const afterCode = this.followsCode(comment);
    let container = root;
    let index = firstEndingAfter(container.elements, offset);
    for (;;) {
      const holder = container.elements[index];
      if (holder === undefined || holder.range.start.offset > offset) break;
      const inner = this.innerContainer(holder, offset);
      if (inner) {
        container = inner;
        index = firstEndingAfter(container.elements, offset);
        continue;
      }
      if (holder.type === 'For' && offset < this.bodyOpenOffset(holder)) {
        if (afterCode) add(this.placement.afterOpen, holder, comment);
        else add(this.placement.leading, holder, comment);
      } else {
        add(afterCode ? this.placement.trailing : this.placement.leading, holder, comment);
      }
      return;
    }

    // Between elements: `previous` ends before the comment, `next` starts after it.
    const previous = container.elements[index - 1];
    const next = container.elements[index];
    if (afterCode) {
      if (previous && previous.range.end.line === comment.range.start.line) return add(this.placement.trailing, previous, comment);
      if (comment.range.start.line === container.openLine) return add(this.placement.afterOpen, container.owner, comment);
    }
    if (next) add(this.placement.leading, next, comment);
    else add(this.placement.dangling, container.owner, comment);
  }
}

/** Index of the first element (in source order) that ends after `offset`. */
function firstEndingAfter(elements: readonly Element[], offset: number): number {
  let low = 0;
  let high = elements.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (elements[mid]!.range.end.offset <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The direct sub-nodes of an element that may contain containers. */
function children(node: Element): Element[] {
  switch (node.type) {
    case 'Declaration':
      return [...node.indices, node.value];
    case 'Import':
      return [];
    case 'For':
      return [node.iterable, ...node.body];
    case 'Argument':
      return [node.value];
    case 'RecordEntry':
      return [node.value];
    case 'Quantity':
      return [node.amount];
    case 'List':
      return node.items;
    case 'Record':
      return node.entries;
    case 'Range':
      return [node.from, node.to];
    case 'Member':
      return [node.object];
    case 'Index':
      return node.index ? [node.object, node.index] : [node.object];
    case 'Call':
      return node.args;
    case 'At':
      return [node.run, node.at];
    case 'Binary':
      return binaryOperands(node);
    case 'Unary':
      return [node.operand];
    case 'Paren':
      return [node.expression];
    default:
      return [];
  }
}

export function placeComments(program: Program, source: string, lines: LineIndex): CommentPlacement {
  return new CommentPlacer(source, lines).place(program, program.comments);
}
