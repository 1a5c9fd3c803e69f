// ltx's places (1-based lines and columns, UTF-16 offsets) as the protocol's (0-based lines, UTF-16
// characters), and file paths as document URIs.
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Position as LspPosition, Range as LspRange } from 'vscode-languageserver';
import type { Position, SourceRange } from '../../core/source.ts';

export function toLspPosition(position: Position): LspPosition {
  return { line: position.line - 1, character: position.column - 1 };
}

export function toLspRange(range: SourceRange): LspRange {
  return { start: toLspPosition(range.start), end: toLspPosition(range.end) };
}

/** The path of a `file:` URI; undefined for any other scheme (an unsaved buffer, a remote file). */
export function pathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function uriOfPath(path: string): string {
  return pathToFileURL(path).href;
}
