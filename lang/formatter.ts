// `ltx fmt`: the one canonical layout of a program. One statement per line with single spaces,
// 2-space indentation in for bodies, at most one blank line kept between statements, and a
// declaration wider than 100 columns broken at its outermost call/list/record (inner ones only
// if still too wide). Literals keep their spelling; comments keep their place (see
// comment-placement.ts). Formatting the output again changes nothing.
//
// Only programs without syntax errors may be formatted: callers check the diagnostics first.
import type { Comment, Declaration, Expression, ForStatement, Program, Statement } from './ast.ts';
import { binaryChain } from './binary-chain.ts';
import { placeComments, type CommentPlacement, type ContainerOwner, type Element } from './comment-placement.ts';
import { group, hardline, ifBreak, indent, line, lineSuffix, printDoc, softline, type Doc } from './doc.ts';
import { LineIndex } from './source-text.ts';

export const FORMAT_WIDTH = 100;

export function formatProgram(program: Program, source: string): string {
  const lines = new LineIndex(source);
  const printer = new ProgramPrinter(source, lines, placeComments(program, source, lines));
  const text = printDoc(printer.block(program.body, program), FORMAT_WIDTH);
  return text === '' ? '' : `${text}\n`;
}

/** One printed line-level item of a block: a statement or an own-line comment. */
interface BlockItem {
  doc: Doc;
  firstLine: number;
  lastLine: number;
}

const trailingText = (comment: Comment): Doc => lineSuffix(`  ${comment.text}`);

class ProgramPrinter {
  private readonly source: string;
  private readonly placement: CommentPlacement;
  /** blankLinesUpTo[n]: how many of lines 1..n are blank. */
  private readonly blankLinesUpTo: Int32Array;

  constructor(source: string, lines: LineIndex, placement: CommentPlacement) {
    this.source = source;
    this.placement = placement;
    this.blankLinesUpTo = new Int32Array(lines.lineCount + 1);
    for (let n = 1; n <= lines.lineCount; n++) this.blankLinesUpTo[n] = this.blankLinesUpTo[n - 1]! + (lines.isBlankLine(n) ? 1 : 0);
  }

  /** Whether the source has a blank line strictly between lines `after` and `before`. */
  private blankBetween(after: number, before: number): boolean {
    if (before - after < 2) return false;
    return this.blankLinesUpTo[before - 1]! - this.blankLinesUpTo[after]! > 0;
  }

  private commentItem(comment: Comment): BlockItem {
    return { doc: comment.text, firstLine: comment.range.start.line, lastLine: comment.range.start.line };
  }

  /** The statements of the program or a for body, their comments, blank lines between them. */
  block(statements: readonly Statement[], owner: ContainerOwner, opening: readonly Comment[] = []): Doc {
    const items: BlockItem[] = opening.map((comment) => this.commentItem(comment));
    for (const statement of statements) {
      for (const comment of this.placement.leading.get(statement) ?? []) items.push(this.commentItem(comment));
      const [first, ...more] = this.placement.trailing.get(statement) ?? [];
      items.push({
        doc: first ? [this.statement(statement), trailingText(first)] : this.statement(statement),
        firstLine: statement.range.start.line,
        lastLine: Math.max(statement.range.end.line, first?.range.start.line ?? 0),
      });
      for (const comment of more) items.push(this.commentItem(comment));
    }
    for (const comment of this.placement.dangling.get(owner) ?? []) items.push(this.commentItem(comment));

    const docs: Doc[] = [];
    items.forEach((item, i) => {
      if (i > 0) {
        docs.push(hardline);
        if (this.blankBetween(items[i - 1]!.lastLine, item.firstLine)) docs.push(hardline);
      }
      docs.push(item.doc);
    });
    return docs;
  }

  private statement(statement: Statement): Doc {
    switch (statement.type) {
      case 'Import':
        return ['import ', statement.path.raw];
      case 'Declaration':
        return this.declaration(statement);
      case 'For':
        return this.forStatement(statement);
    }
  }

  private declaration(declaration: Declaration): Doc {
    const indices = declaration.indices.map((index) => ['[', this.expression(index), ']']);
    return [declaration.kind, ' ', declaration.name.name, ...indices, ' = ', this.expression(declaration.value)];
  }

  private forStatement(statement: ForStatement): Doc {
    const header = ['for ', statement.variable.name, ' in ', this.expression(statement.iterable), ' {'];
    const [onHeaderLine, ...opening] = this.placement.afterOpen.get(statement) ?? [];
    const empty = statement.body.length === 0 && opening.length === 0 && !this.placement.dangling.has(statement);
    if (empty && !onHeaderLine) return [header, '}'];
    return [
      header,
      onHeaderLine ? trailingText(onHeaderLine) : '',
      indent(empty ? [] : [hardline, this.block(statement.body, statement, opening)]),
      hardline,
      '}',
    ];
  }

  private expression(expression: Expression): Doc {
    switch (expression.type) {
      case 'NumberLiteral':
      case 'PercentLiteral':
      case 'StringLiteral':
        return expression.raw;
      case 'BooleanLiteral':
        return expression.value ? 'true' : 'false';
      case 'Reference':
        return expression.name;
      case 'Quantity':
        return [this.expression(expression.amount), ' ', expression.unitRaw];
      case 'List':
        return this.container(expression, '[', ']', expression.items, (item) => this.expression(item));
      case 'Record':
        return this.container(expression, '{', '}', expression.entries, (entry) => [entry.quotedKey ?? entry.key.name, ': ', this.expression(entry.value)]);
      case 'Range':
        return [this.expression(expression.from), '..', this.expression(expression.to)];
      case 'Member':
        return [this.expression(expression.object), '.', expression.property.name];
      case 'Index':
        return [this.expression(expression.object), '[', expression.index ? this.expression(expression.index) : '*', ']'];
      case 'Call':
        return [
          expression.callee.name,
          this.container(expression, '(', ')', expression.args, (arg) =>
            arg.name ? [arg.name.name, ': ', this.expression(arg.value)] : this.expression(arg.value),
          ),
        ];
      case 'At':
        return [this.expression(expression.run), expression.every ? ' @ every ' : ' @ ', this.expression(expression.at)];
      case 'Binary': {
        const { first, links } = binaryChain(expression);
        return [this.expression(first), ...links.flatMap((link) => [` ${link.operator} `, this.expression(link.right)])];
      }
      case 'Unary':
        return ['-', this.expression(expression.operand)];
      case 'Paren':
        return ['(', this.expression(expression.expression), ')'];
      case 'ErrorExpression':
        // Not reached for programs without syntax errors; keep whatever text was there.
        return this.source.slice(expression.range.start.offset, expression.range.end.offset);
    }
  }

  /**
   * `open a, b close` when it fits (and holds no comment), else one element per line, each
   * followed by a comma, the closing bracket on its own line.
   */
  private container<T extends Element>(owner: ContainerOwner, open: string, close: string, elements: readonly T[], print: (element: T) => Doc): Doc {
    const [onOpenLine, ...opening] = this.placement.afterOpen.get(owner) ?? [];
    const dangling = this.placement.dangling.get(owner) ?? [];
    let hasComments = onOpenLine !== undefined || dangling.length > 0;
    const parts: Doc[] = opening.flatMap((comment) => [comment.text, hardline]);
    elements.forEach((element, i) => {
      const leading = this.placement.leading.get(element) ?? [];
      const [trailing, ...moreTrailing] = this.placement.trailing.get(element) ?? [];
      if (leading.length > 0 || trailing) hasComments = true;
      for (const comment of leading) parts.push(comment.text, hardline);
      parts.push(print(element), i < elements.length - 1 ? ',' : ifBreak(','));
      if (trailing) parts.push(trailingText(trailing));
      for (const comment of moreTrailing) parts.push(hardline, comment.text);
      if (i < elements.length - 1) parts.push(line);
    });
    dangling.forEach((comment, i) => {
      if (elements.length > 0 || i > 0) parts.push(hardline);
      parts.push(comment.text);
    });
    if (parts.length === 0 && !hasComments) return [open, close];
    const body = parts.length > 0 ? indent([softline, ...parts]) : '';
    return group([open, onOpenLine ? trailingText(onOpenLine) : '', body, softline, close], { broken: hasComments });
  }
}
