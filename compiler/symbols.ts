// Which names a set of program files declares and where each is used: the syntactic side of name
// resolution, for editors (go to definition, find references, rename). Names are global to a program
// (imports share one namespace); a loop variable is local to its loop's body.
import type { Declaration, DeclarationKind, ForStatement, Node, Program, SourceRange, Statement } from '../lang/ast.ts';
import { childrenOf } from '../lang/syntax-walk.ts';

export interface SymbolFile {
  path: string;
  program: Program;
}

/** One declaration of a name (an indexed family has one per declaration statement). */
export interface DeclarationSite {
  name: string;
  kind: DeclarationKind;
  file: string;
  /** The range of the declared name. */
  range: SourceRange;
  declaration: Declaration;
  /** The loops around it, outermost first. */
  loops: ForStatement[];
}

/** A name written in a file: a declaration's own name, a use of a declaration, or a loop variable. */
export interface NameOccurrence {
  name: string;
  file: string;
  range: SourceRange;
  /** `declaration`: the name a declaration introduces; `use`: a reference to a declared (or unknown) name. */
  role: 'declaration' | 'use' | 'loop-variable';
  /** For loop variables (their introduction and their uses): the loop that binds them. */
  loop?: ForStatement;
}

export interface ProgramSymbols {
  declarations: Map<string, DeclarationSite[]>;
  occurrences: NameOccurrence[];
}

export function programSymbols(files: readonly SymbolFile[]): ProgramSymbols {
  const declarations = new Map<string, DeclarationSite[]>();
  const occurrences: NameOccurrence[] = [];
  for (const file of files) {
    const visitStatements = (statements: readonly Statement[], loops: ForStatement[]): void => {
      for (const statement of statements) {
        if (statement.type === 'For') {
          if (statement.variable.name !== '') occurrences.push({ name: statement.variable.name, file: file.path, range: statement.variable.range, role: 'loop-variable', loop: statement });
          visitExpression(statement.iterable, loops);
          visitStatements(statement.body, [...loops, statement]);
        } else if (statement.type === 'Declaration') {
          const name = statement.name.name;
          // What the parser recovered from a syntax error has no name: there is nothing to refer to.
          if (name === '') {
            visitExpression(statement.value, loops);
            continue;
          }
          const site: DeclarationSite = { name, kind: statement.kind, file: file.path, range: statement.name.range, declaration: statement, loops };
          declarations.set(name, [...(declarations.get(name) ?? []), site]);
          occurrences.push({ name, file: file.path, range: statement.name.range, role: 'declaration' });
          for (const index of statement.indices) visitExpression(index, [...loops]);
          visitExpression(statement.value, loops);
        }
      }
    };
    const visitExpression = (root: Node, loops: ForStatement[]): void => {
      const pending: Node[] = [root];
      while (pending.length > 0) {
        const node = pending.pop()!;
        if (node.type === 'Reference') {
          if (node.name === '') continue;
          const loop = [...loops].reverse().find((l) => l.variable.name === node.name);
          occurrences.push({ name: node.name, file: file.path, range: node.range, role: loop ? 'loop-variable' : 'use', ...(loop ? { loop } : {}) });
          continue;
        }
        // A callee, an argument's name, a member and a record key are not references to declarations.
        if (node.type === 'Call') pending.push(...node.args);
        else if (node.type === 'Argument') pending.push(node.value);
        else if (node.type === 'Member') pending.push(node.object);
        else if (node.type === 'RecordEntry') pending.push(node.value);
        else pending.push(...childrenOf(node));
      }
    };
    visitStatements(file.program.body, []);
  }
  return { declarations, occurrences };
}

/** The occurrence whose range holds `offset` in `file`, if a name stands there. */
export function occurrenceAt(symbols: ProgramSymbols, file: string, offset: number): NameOccurrence | undefined {
  return symbols.occurrences.find((o) => o.file === file && o.range.start.offset <= offset && offset <= o.range.end.offset);
}

/** Every occurrence of the same thing as `target`: the declaration's name and its uses, or a loop variable in its loop. */
export function occurrencesOf(symbols: ProgramSymbols, target: NameOccurrence): NameOccurrence[] {
  if (target.role === 'loop-variable') return symbols.occurrences.filter((o) => o.role === 'loop-variable' && o.loop === target.loop && o.name === target.name);
  return symbols.occurrences.filter((o) => o.role !== 'loop-variable' && o.name === target.name);
}

/** Where `target` is introduced: the declarations of its name, or its loop's variable. */
export function definitionsOf(symbols: ProgramSymbols, target: NameOccurrence): { file: string; range: SourceRange }[] {
  if (target.role === 'loop-variable') {
    const loop = target.loop!;
    return [{ file: target.file, range: loop.variable.range }];
  }
  return (symbols.declarations.get(target.name) ?? []).map((site) => ({ file: site.file, range: site.range }));
}
