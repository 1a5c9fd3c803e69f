// A language client for tests and the bench: starts `ltx lsp --stdio` and speaks JSON-RPC to it
// (vscode-jsonrpc), with helpers for opening documents, editing them and waiting for diagnostics.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/ltx.js');

export interface Published {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

export class LspClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private readonly versions = new Map<string, number>();
  private readonly waiting: { test: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];
  /** The latest diagnostics of each document, by URI. */
  readonly diagnostics = new Map<string, Published>();
  stderr = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const published: Published = { uri: params.uri, diagnostics: params.diagnostics, ...(params.version === undefined ? {} : { version: params.version }) };
      this.diagnostics.set(params.uri, published);
      for (const waiter of [...this.waiting]) {
        if (!waiter.test(published)) continue;
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve(published);
      }
    });
    this.connection.onNotification('window/logMessage', () => {});
    this.connection.listen();
  }

  /**
   * Starts the server with `root` as the workspace folder and initializes it; `node` holds options for
   * Node itself (`--import` of a loader hook), `env` more environment.
   */
  static async start(root: string, initializationOptions: object = {}, node: string[] = [], env: Record<string, string> = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [...node, BIN, 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LTX_CACHE: '', ...env } });
    const client = new LspClient(child);
    await client.connection.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {}, workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'test' }], initializationOptions,
    });
    client.connection.sendNotification('initialized', {});
    return client;
  }

  request<R>(method: string, params: object): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** The next diagnostics published for `uri` (at `version`, when given). */
  nextDiagnostics(uri: string, version?: number): Promise<Published> {
    return new Promise((resolve) => {
      this.waiting.push({ test: (p) => p.uri === uri && (version === undefined || p.version === version), resolve });
    });
  }

  /** The diagnostics of `uri` once they pass `test`: the latest ones if they do, else the next that do. */
  diagnosticsWhere(uri: string, test: (diagnostics: Diagnostic[]) => boolean): Promise<Published> {
    const latest = this.diagnostics.get(uri);
    if (latest && test(latest.diagnostics)) return Promise.resolve(latest);
    return new Promise((resolve) => {
      this.waiting.push({ test: (p) => p.uri === uri && test(p.diagnostics), resolve });
    });
  }

  /** Opens a document and waits for its diagnostics. */
  async open(uri: string, text: string): Promise<Published> {
    this.versions.set(uri, 1);
    const published = this.nextDiagnostics(uri, 1);
    this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'ltx', version: 1, text } });
    return published;
  }

  /** Replaces a document's whole text; resolves with the diagnostics of the new version. */
  async change(uri: string, text: string): Promise<Published> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const published = this.nextDiagnostics(uri, version);
    this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return published;
  }

  /** An incremental edit: `text` replaces the range; resolves once sent (diagnostics: nextDiagnostics). */
  edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  close(uri: string): void {
    this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The server's process id. */
  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null;
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      else this.child.once('exit', (code) => resolve(code));
    });
    await this.request('shutdown', {});
    this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}

/**
 * Cursor markers in a test program: `⟨name⟩` marks a position (the marker is removed from the text).
 * Returns the text and each marker's position (0-based line and character).
 */
export function markedText(source: string): { text: string; at: (name: string) => { line: number; character: number } } {
  const positions = new Map<string, { line: number; character: number }>();
  let text = '';
  const pattern = /⟨([A-Za-z0-9_]+)⟩/g;
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    text += source.slice(last, match.index);
    last = match.index + match[0].length;
    const lines = text.split('\n');
    positions.set(match[1]!, { line: lines.length - 1, character: lines[lines.length - 1]!.length });
  }
  text += source.slice(last);
  return {
    text,
    at: (name) => {
      const position = positions.get(name);
      if (!position) throw new Error(`no marker ⟨${name}⟩`);
      return position;
    },
  };
}
