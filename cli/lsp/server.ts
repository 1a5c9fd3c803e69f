// `ltx lsp`: the language server, over stdin/stdout (JSON-RPC). It wires the protocol's requests to
// ltx's own phases (lexer, parser, formatter, compiler, standard-library signatures). A handler that
// fails answers with an error (and a line in the client's log); the server goes on.
import { isAbsolute, join, dirname } from 'node:path';
import {
  createConnection, ErrorCodes, ResponseError, StreamMessageReader, StreamMessageWriter, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Library } from '../../core/library.ts';
import { Store } from '../../runtime/store/index.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { quickFixes } from './code-actions.ts';
import { completion } from './completion.ts';
import { viewOf, type ServerContext } from './context.ts';
import { ProgramDiagnostics } from './diagnostics.ts';
import { formatDocument } from './formatting.ts';
import { hover } from './hover.ts';
import { definition, prepareRename, references, rename } from './navigation.ts';
import { documentSymbols, foldingRanges } from './outline.ts';
import { pathOfUri } from './positions.ts';
import { SEMANTIC_LEGEND, semanticTokens } from './semantic-tokens.ts';
import { Workspace } from './workspace.ts';

export interface ServerOptions {
  library?: Library;
}

/** Settings a client may pass as initializationOptions. */
interface InitializationOptions {
  /** The cache hovers read results from (default: $LTX_CACHE, else .ltx-cache in the workspace folder). */
  cache?: string;
}

export function startServer(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout, options: ServerOptions = {}): Connection {
  const connection = createConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace(documents);
  const logError = (error: unknown): void => connection.console.error(`ltx: ${(error as Error)?.stack ?? String(error)}`);
  const diagnostics = new ProgramDiagnostics(workspace, (uri, list, version) => {
    void connection.sendDiagnostics({ uri, diagnostics: list, ...(version === undefined ? {} : { version }) });
  }, logError);
  let roots: string[] = [];
  let cacheSetting: string | undefined;
  const context: ServerContext = {
    workspace,
    diagnostics,
    library: options.library ?? standardLibrary,
    storeFor(path) {
      const root = roots.find((r) => path.startsWith(r + '/')) ?? roots[0] ?? (isAbsolute(path) ? dirname(path) : undefined);
      const location = cacheSetting ?? process.env.LTX_CACHE ?? (root === undefined ? undefined : '.ltx-cache');
      if (location === undefined) return undefined;
      return new Store(isAbsolute(location) || root === undefined ? location : join(root, location));
    },
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    roots = (params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []))
      .flatMap((uri) => pathOfUri(uri) ?? []);
    cacheSetting = (params.initializationOptions as InitializationOptions | undefined)?.cache;
    workspace.scan(roots);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', ':', '@', '(', '[', '{', '"', ' ', ','] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        renameProvider: { prepareProvider: true },
        documentFormattingProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
      },
      serverInfo: { name: 'ltx', version: '0.1.0' },
    };
  });

  /** A handler that answers an error instead of throwing past the connection. */
  const guarded = <P, R>(handler: (params: P) => R | Promise<R>) => async (params: P): Promise<R | ResponseError<void>> => {
    try {
      return await handler(params);
    } catch (error) {
      if (error instanceof ResponseError) return error;
      logError(error);
      return new ResponseError(ErrorCodes.InternalError, `ltx: ${(error as Error)?.message ?? String(error)}`);
    }
  };
  const at = (uri: string, position: { line: number; character: number }) => {
    const document = documents.get(uri);
    const path = workspace.pathOf(uri);
    const text = document?.getText() ?? workspace.readFile(path);
    const offset = document ? document.offsetAt(position) : TextDocument.create(uri, 'ltx', 0, text ?? '').offsetAt(position);
    return { path, offset };
  };

  documents.onDidOpen((e) => void diagnostics.changed(workspace.pathOf(e.document.uri)));
  documents.onDidChangeContent((e) => void diagnostics.changed(workspace.pathOf(e.document.uri)));
  documents.onDidClose((e) => {
    // What the editor saved (or dropped) is on disk now.
    workspace.forget([workspace.pathOf(e.document.uri)]);
    diagnostics.closed(workspace.pathOf(e.document.uri));
  });
  connection.onDidChangeWatchedFiles((e) => {
    workspace.forget(e.changes.map((change) => workspace.pathOf(change.uri)));
    workspace.scan(roots);
    for (const change of e.changes) void diagnostics.changed(workspace.pathOf(change.uri));
  });

  connection.onHover(guarded(async ({ textDocument, position }) => {
    const { path, offset } = at(textDocument.uri, position);
    return hover(context, path, offset);
  }));
  connection.onCompletion(guarded(({ textDocument, position }) => {
    const { path, offset } = at(textDocument.uri, position);
    return completion(context, path, offset);
  }));
  connection.onDefinition(guarded(({ textDocument, position }) => {
    const { path, offset } = at(textDocument.uri, position);
    return definition(context, path, offset);
  }));
  connection.onReferences(guarded(({ textDocument, position, context: options }) => {
    const { path, offset } = at(textDocument.uri, position);
    return references(context, path, offset, options.includeDeclaration);
  }));
  connection.onPrepareRename(guarded(({ textDocument, position }) => {
    const { path, offset } = at(textDocument.uri, position);
    return prepareRename(context, path, offset);
  }));
  connection.onRenameRequest(guarded(({ textDocument, position, newName }) => {
    const { path, offset } = at(textDocument.uri, position);
    return rename(context, path, offset, newName);
  }));
  connection.onDocumentSymbol(guarded(({ textDocument }) => {
    const file = workspace.parsed(workspace.pathOf(textDocument.uri));
    return file ? documentSymbols(file.program, file.text) : [];
  }));
  connection.onFoldingRanges(guarded(({ textDocument }) => {
    const file = workspace.parsed(workspace.pathOf(textDocument.uri));
    return file ? foldingRanges(file.program, file.text) : [];
  }));
  connection.onDocumentFormatting(guarded(({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    return document ? formatDocument(document, workspace.pathOf(textDocument.uri)) : [];
  }));
  connection.languages.semanticTokens.on(guarded(({ textDocument }) => {
    const path = workspace.pathOf(textDocument.uri);
    const view = viewOf(context, path);
    return view ? semanticTokens(view.file.program, view.file.text, view.symbols, context.library) : { data: [] };
  }));
  connection.onCodeAction(guarded(({ textDocument, context: actionContext }) => {
    const document = documents.get(textDocument.uri);
    return document ? quickFixes(document, actionContext.diagnostics) : [];
  }));

  documents.listen(connection);
  connection.listen();
  return connection;
}
