// The outline of a file (its declarations, loops and imports) and the regions an editor may fold:
// loops, calls, lists and records over several lines, and runs of comment lines.
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { DeclarationKind, Program, Statement } from '../../lang/ast.ts';
import { allNodes } from '../../lang/syntax-walk.ts';
import { toLspRange } from './positions.ts';

const SYMBOL_KINDS: Record<DeclarationKind, SymbolKind> = {
  param: SymbolKind.Constant,
  dataset: SymbolKind.Struct,
  model: SymbolKind.Class,
  init: SymbolKind.Variable,
  optimizer: SymbolKind.Object,
  train: SymbolKind.Function,
  control: SymbolKind.Function,
  mask: SymbolKind.Variable,
  lottery: SymbolKind.Array,
  probe: SymbolKind.Event,
};

export function documentSymbols(program: Program, text: string): DocumentSymbol[] {
  const source = (range: { start: { offset: number }; end: { offset: number } }) => text.slice(range.start.offset, range.end.offset);
  const symbolOf = (statement: Statement): DocumentSymbol | undefined => {
    switch (statement.type) {
      case 'Declaration':
        return {
          name: `${statement.name.name}${statement.indices.map((i) => `[${source(i.range)}]`).join('')}`,
          detail: statement.kind,
          kind: SYMBOL_KINDS[statement.kind],
          range: toLspRange(statement.range),
          selectionRange: toLspRange(statement.name.range),
        };
      case 'For':
        return {
          name: `for ${statement.variable.name} in ${source(statement.iterable.range)}`,
          kind: SymbolKind.Namespace,
          range: toLspRange(statement.range),
          selectionRange: toLspRange(statement.variable.range),
          children: statement.body.flatMap((s) => symbolOf(s) ?? []),
        };
      case 'Import':
        return { name: `import ${statement.path.raw}`, kind: SymbolKind.Module, range: toLspRange(statement.range), selectionRange: toLspRange(statement.path.range) };
    }
  };
  return program.body.flatMap((s) => symbolOf(s) ?? []);
}

export function foldingRanges(program: Program, text: string): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const node of allNodes(program)) {
    if (node.type !== 'For' && node.type !== 'Call' && node.type !== 'List' && node.type !== 'Record') continue;
    const startLine = node.range.start.line - 1;
    // The closing bracket's line stays visible.
    const endLine = node.range.end.line - 2;
    if (endLine > startLine) ranges.push({ startLine, endLine });
  }
  let run: { first: number; last: number } | undefined;
  const flush = (): void => {
    if (run && run.last > run.first) ranges.push({ startLine: run.first, endLine: run.last, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const comment of program.comments) {
    const line = comment.range.start.line - 1;
    // A comment after code on its line is not part of a comment block.
    const before = text.slice(comment.range.start.offset - comment.range.start.column + 1, comment.range.start.offset);
    if (before.trim() !== '') {
      flush();
      continue;
    }
    if (run && line === run.last + 1) run.last = line;
    else {
      flush();
      run = { first: line, last: line };
    }
  }
  flush();
  return ranges;
}
