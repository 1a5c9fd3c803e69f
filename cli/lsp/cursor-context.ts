// Where the cursor stands in text that is being typed and need not parse: inside a comment or a
// string, and inside which brackets (a call's parentheses with its callee, a list, a record), with the
// arguments written so far. A forward scan that knows strings and comments, so brackets in them do not count.

export interface BracketFrame {
  bracket: '(' | '[' | '{';
  offset: number;
  /** For '(': the name right before it (the function called). */
  callee?: string;
  /** Where each argument (element, entry) begins: after the bracket, then after each comma at this depth. */
  argumentStarts: number[];
}

export interface CursorContext {
  inComment: boolean;
  /** The offset of the opening quote when the cursor is inside a string. */
  stringStart?: number;
  /** The open brackets around the cursor, outermost first. */
  frames: BracketFrame[];
}

const CLOSING: Record<string, '(' | '[' | '{'> = { ')': '(', ']': '[', '}': '{' };

export function cursorContext(text: string, offset: number): CursorContext {
  const frames: BracketFrame[] = [];
  let i = 0;
  while (i < offset) {
    const ch = text[i]!;
    if (ch === '#') {
      const end = lineEnd(text, i);
      if (end >= offset) return { inComment: true, frames };
      i = end;
      continue;
    }
    if (ch === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n' && text[i] !== '\r') i += text[i] === '\\' ? 2 : 1;
      // At the closing quote (or the end of an unterminated string's line) the cursor is still inside.
      if (offset <= i) return { inComment: false, stringStart: start, frames };
      i++;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      const callee = ch === '(' ? /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text.slice(Math.max(0, i - 300), i))?.[1] : undefined;
      frames.push({ bracket: ch, offset: i, ...(callee ? { callee } : {}), argumentStarts: [i + 1] });
    } else if (ch in CLOSING) {
      const at = frames.map((f) => f.bracket).lastIndexOf(CLOSING[ch]!);
      if (at >= 0) frames.length = at;
    } else if (ch === ',' && frames.length > 0) {
      frames[frames.length - 1]!.argumentStarts.push(i + 1);
    }
    i++;
  }
  return { inComment: false, frames };
}

function lineEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** The names of the named arguments written in a call frame (`rate: 20%` → rate). */
export function writtenArgumentNames(text: string, frame: BracketFrame): string[] {
  return frame.argumentStarts.flatMap((start) => {
    const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(text.slice(start, start + 300))?.[1];
    return name ? [name] : [];
  });
}
