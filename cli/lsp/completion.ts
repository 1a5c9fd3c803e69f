// Completion while typing, from the text before the cursor (it need not parse) and what the program
// declares: declaration kinds at the start of a statement, functions with a snippet of their required
// arguments, argument names of the call under the cursor, enum values, declared names and their
// members, the model's layer names in `skip:` and `rates:` and its hidden layers in a representation
// probe's `layer:`, units after a number.
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { allModelLayers, modelLayersOf, type LayerKind } from '../../compiler/layers-in-scope.ts';
import type { DeclarationKind } from '../../lang/ast.ts';
import { KIND_KEYWORDS } from '../../lang/lexer.ts';
import { nodesAt } from '../../lang/syntax-walk.ts';
import { viewOf, type FileView, type ServerContext } from './context.ts';
import { cursorContext, writtenArgumentNames, type BracketFrame } from './cursor-context.ts';
import { KIND_TYPES, UNIT_DOCS } from './vocabulary.ts';
import { callSnippet, functionMarkdown, parameterMarkdown, parametersOf } from './signature-docs.ts';

/** The members each kind of declaration has (evaluate.ts's evalMember). */
const MEMBERS: Partial<Record<DeclarationKind, Record<string, string>>> = {
  dataset: { train: 'the training split', test: 'the test split' },
  train: { mask: 'the mask the run trained under', start: 'the checkpoint it started from', final: 'its final checkpoint' },
  control: { mask: 'the mask the run trained under', start: 'the checkpoint it started from', final: 'its final checkpoint' },
  lottery: { dense: 'level 0: the dense run' },
};

const NAME_KINDS: Record<DeclarationKind, CompletionItemKind> = {
  param: CompletionItemKind.Constant, dataset: CompletionItemKind.Struct, model: CompletionItemKind.Class,
  init: CompletionItemKind.Variable, optimizer: CompletionItemKind.Variable, train: CompletionItemKind.Variable,
  control: CompletionItemKind.Variable, mask: CompletionItemKind.Variable, lottery: CompletionItemKind.Variable,
  probe: CompletionItemKind.Event,
};

export async function completion(context: ServerContext, path: string, offset: number): Promise<CompletionItem[]> {
  const view = viewOf(context, path);
  if (!view) return [];
  const text = view.file.text;
  const cursor = cursorContext(text, offset);
  if (cursor.inComment) return [];
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  const before = text.slice(lineStart, offset);
  const prefix = before.replace(/[A-Za-z0-9_]*$/, '');
  const frame = cursor.frames[cursor.frames.length - 1];

  if (cursor.stringStart !== undefined) {
    const kind = frame?.bracket === '[' ? layersListed(context, text, cursor.frames) : undefined;
    return kind ? layerItems(context, path, view, cursor.frames, kind, false) : [];
  }
  const member = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])*\s*\.$/.exec(prefix);
  if (member) return memberItems(view, member[1]!);
  if (/@\s*$/.test(prefix)) return [{ label: 'every', kind: CompletionItemKind.Keyword, detail: 'RUN @ every QUANTITY: checkpoints at an interval' }];
  if (/(?:^|[^A-Za-z0-9_.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s+$/.test(prefix)) {
    return Object.entries(UNIT_DOCS).map(([unit, doc]) => ({ label: unit, kind: CompletionItemKind.Unit, documentation: { kind: 'markdown', value: doc } }));
  }
  if (cursor.frames.every((f) => isLoopBody(text, f)) && /^\s*$/.test(prefix)) return statementItems();
  if (frame?.bracket === '{' && argumentOfValue(text, frame) === 'rates' && atEntryStart(text, frame, offset)) {
    return layerItems(context, path, view, cursor.frames, 'prunable', true);
  }
  const listed = frame?.bracket === '[' ? layersListed(context, text, cursor.frames) : undefined;
  if (listed) return layerItems(context, path, view, cursor.frames, listed, false, true);
  if (frame?.bracket === '(' && frame.callee) {
    const op = context.library.op(frame.callee);
    const argument = text.slice(frame.argumentStarts[frame.argumentStarts.length - 1]!, offset);
    const named = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*[A-Za-z0-9_]*$/.exec(argument);
    if (op && named) {
      const param = parametersOf(op).find((p) => p.name === named[1]);
      if (param?.values) return param.values.map((value) => ({ label: value, kind: CompletionItemKind.EnumMember, detail: `${param.name} of ${op.name}` }));
      if (param?.type === 'boolean') return ['true', 'false'].map((label) => ({ label, kind: CompletionItemKind.Keyword }));
      return valueItems(context, view, offset);
    }
    if (op && /^\s*[A-Za-z0-9_]*$/.test(argument)) {
      const given = new Set(writtenArgumentNames(text, frame));
      const argumentItems = parametersOf(op).filter((p) => !given.has(p.name)).map((p, i): CompletionItem => ({
        label: `${p.name}:`,
        kind: CompletionItemKind.Field,
        detail: `${p.type}${p.default === undefined ? '' : ` = ${p.default}`}`,
        documentation: { kind: 'markdown', value: parameterMarkdown(op, p) },
        insertText: `${p.name}: `,
        filterText: p.name,
        sortText: `0${String(i).padStart(3, '0')}`,
      }));
      return [...argumentItems, ...valueItems(context, view, offset)];
    }
  }
  return valueItems(context, view, offset);
}

function statementItems(): CompletionItem[] {
  const kinds = KIND_KEYWORDS.map((kind): CompletionItem => ({
    label: kind,
    kind: CompletionItemKind.Keyword,
    detail: KIND_TYPES[kind],
    insertText: `${kind} \${1:name} = $0`,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
  return [
    ...kinds,
    { label: 'for', kind: CompletionItemKind.Keyword, detail: 'a loop, unrolled at compile time', insertText: 'for ${1:level} in ${2:1..10} {\n  $0\n}', insertTextFormat: InsertTextFormat.Snippet },
    { label: 'import', kind: CompletionItemKind.Keyword, detail: "another file's declarations", insertText: 'import "${1:other.ltx}"', insertTextFormat: InsertTextFormat.Snippet },
  ];
}

/** Functions, declared names, loop variables in scope and the booleans. */
function valueItems(context: ServerContext, view: FileView, offset: number): CompletionItem[] {
  const functions = [...context.library.ops.values()].map((op): CompletionItem => ({
    label: op.name,
    kind: CompletionItemKind.Function,
    detail: `${op.category} → ${op.returns}`,
    documentation: { kind: 'markdown', value: functionMarkdown(op) },
    insertText: callSnippet(op),
    insertTextFormat: InsertTextFormat.Snippet,
  }));
  const names = [...view.symbols.declarations.entries()].map(([name, sites]): CompletionItem => ({
    label: name,
    kind: NAME_KINDS[sites[0]!.kind],
    detail: sites[0]!.kind,
    sortText: `0${name}`,
  }));
  const loopVariables = nodesAt(view.file.program, offset).flatMap((node) => (node.type === 'For' ? [node.variable.name] : []))
    .map((name): CompletionItem => ({ label: name, kind: CompletionItemKind.Variable, detail: 'loop variable', sortText: `0${name}` }));
  const booleans = ['true', 'false'].map((label): CompletionItem => ({ label, kind: CompletionItemKind.Keyword }));
  return [...loopVariables, ...names, ...functions, ...booleans];
}

function memberItems(view: FileView, name: string): CompletionItem[] {
  const kind = view.symbols.declarations.get(name)?.[0]?.kind;
  const members = kind ? MEMBERS[kind] ?? {} : {};
  return Object.entries(members).map(([label, detail]) => ({ label, kind: CompletionItemKind.Property, detail }));
}

/** Whether `frame` is the body of a for loop (`for level in 1..10 {`), where statements go. */
function isLoopBody(text: string, frame: BracketFrame): boolean {
  return frame.bracket === '{' && /\bfor\s+[A-Za-z_][A-Za-z0-9_]*\s+in\b[^{}]*$/.test(text.slice(Math.max(0, frame.offset - 300), frame.offset));
}

/** The argument whose value `frame` (a list or record) is: `skip` in `skip: [`. */
function argumentOfValue(text: string, frame: BracketFrame): string | undefined {
  return /\b([A-Za-z_][A-Za-z0-9_]*)\s*:\s*$/.exec(text.slice(Math.max(0, frame.offset - 100), frame.offset))?.[1];
}

/** The layers the innermost frame, a list, names: prunable ones in `skip:`, hidden ones in a representation probe's layer list. */
function layersListed(context: ServerContext, text: string, frames: BracketFrame[]): LayerKind | undefined {
  const argument = argumentOfValue(text, frames[frames.length - 1]!);
  if (argument === 'skip') return 'prunable';
  const call = frames[frames.length - 2];
  const lowering = call?.bracket === '(' && call.callee ? context.library.op(call.callee)?.lowering : undefined;
  return argument !== undefined && lowering?.rule === 'probe' && lowering.hiddenLayers === argument ? 'hidden' : undefined;
}

function atEntryStart(text: string, frame: BracketFrame, offset: number): boolean {
  return /^\s*[A-Za-z0-9_]*$/.test(text.slice(frame.argumentStarts[frame.argumentStarts.length - 1]!, offset));
}

/**
 * The prunable or hidden layers of the model of the call around the list or record: that of the call's
 * first argument (`magnitude(t[3], …)`, `cka(a, …)`), or of every model of the program when it cannot tell.
 */
async function layerItems(context: ServerContext, path: string, view: FileView, frames: BracketFrame[], kind: LayerKind, asKeys: boolean, quoted = false): Promise<CompletionItem[]> {
  const program = await context.diagnostics.programFor(path);
  if (!program) return [];
  const call = [...frames].reverse().find((f) => f.bracket === '(' && f.callee);
  const text = view.file.text;
  const firstArgument = call ? text.slice(call.argumentStarts[0]!, (call.argumentStarts[1] ?? call.argumentStarts[0]! + 200) - 1) : '';
  const subject = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(firstArgument)?.[1];
  const layers = (subject && modelLayersOf(program, context.library, subject, kind)) || allModelLayers(program, context.library, kind);
  return layers.map((layer) => ({
    label: layer,
    kind: CompletionItemKind.Value,
    detail: `${kind} layer`,
    insertText: asKeys ? `${layer}: ` : quoted ? JSON.stringify(layer) : layer,
  }));
}
