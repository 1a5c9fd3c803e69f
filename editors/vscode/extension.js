// The ltx extension: starts `ltx lsp` as the language server of .ltx files and adds the commands
// "ltx: run", "ltx: plan" and "ltx: open report" for the file in the editor.
'use strict';
const { execFile } = require('node:child_process');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function settings() {
  const config = vscode.workspace.getConfiguration('ltx');
  return { command: config.get('path') || 'ltx', cache: config.get('cache') || '' };
}

/** `--cache DIR` when the setting names one. */
function cacheArgs() {
  const { cache } = settings();
  return cache ? ['--cache', cache] : [];
}

function startClient() {
  const { command, cache } = settings();
  // The client adds --stdio (TransportKind.stdio), which `ltx lsp` accepts.
  const server = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient('ltx', 'ltx', { run: server, debug: server }, {
    documentSelector: [{ language: 'ltx' }],
    initializationOptions: cache ? { cache } : {},
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.ltx') },
  });
  return client.start();
}

/** The .ltx file of the active editor, saved first; undefined (with a message) when there is none. */
async function currentProgram() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'ltx' || editor.document.isUntitled) {
    vscode.window.showErrorMessage('ltx: open a saved .ltx file first');
    return undefined;
  }
  await editor.document.save();
  return editor.document.uri.fsPath;
}

function quote(word) {
  return /^[A-Za-z0-9_./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Where commands run: the file's workspace folder, whose .ltx-cache is the default cache the language
 * server's hovers read (data paths are relative to the program file wherever ltx runs).
 */
function workDir(file) {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
}

/** Runs `ltx SUBCOMMAND FILE` in a terminal. */
async function inTerminal(subcommand) {
  const file = await currentProgram();
  if (!file) return;
  const terminal = vscode.window.createTerminal({ name: `ltx ${subcommand}`, cwd: workDir(file) });
  terminal.show();
  terminal.sendText([settings().command, subcommand, file, ...cacheArgs()].map(quote).join(' '));
}

/** `ltx report FILE --out DIR`, then the page in the browser. */
async function openReport() {
  const file = await currentProgram();
  if (!file) return;
  const out = path.join(path.dirname(file), 'report', path.basename(file, '.ltx'));
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ltx: writing the report' }, () => new Promise((resolve) => {
    execFile(settings().command, ['report', file, '--out', out, ...cacheArgs()], { cwd: workDir(file) }, (error, _stdout, stderr) => {
      if (error) vscode.window.showErrorMessage(`ltx report: ${stderr.trim() || error.message}`);
      else vscode.env.openExternal(vscode.Uri.file(path.join(out, 'index.html')));
      resolve();
    });
  }));
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('ltx.run', () => inTerminal('run')),
    vscode.commands.registerCommand('ltx.plan', () => inTerminal('plan')),
    vscode.commands.registerCommand('ltx.openReport', openReport),
    vscode.commands.registerCommand('ltx.restartServer', async () => {
      if (client) await client.stop();
      await startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('ltx')) return;
      if (client) await client.stop();
      await startClient();
    }),
  );
  return startClient();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
