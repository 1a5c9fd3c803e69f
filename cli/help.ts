// --help texts: one per command, and the overview.
export const overview = `ltx — declarative lottery-ticket and training-dynamics experiments

Usage: ltx <command> [options]

Commands:
  check FILE...            check programs; diagnostics as FILE:LINE:COL: error: MESSAGE
  fmt [--check] FILE...    rewrite files in the canonical layout (--check: only name files that would change)
  plan FILE [--json]       every stage: name, kind, op, key, cached or to run, and why
  graph FILE [--format dot|mermaid|json]
                           the stage DAG
  diff OLD NEW [--json]    stages added, removed, changed (parameter old → new) and which cached results
                           stay valid; OLD and NEW are files or git REV:PATH

Common options:
  --set NAME=VALUE         override a param (repeatable)
  --cache DIR              the cache (default .ltx-cache in the working directory, or $LTX_CACHE)
  -h, --help               help for a command

Exit status: 0 success, 1 invalid program or a failed stage, 2 bad command-line usage.
Run 'ltx <command> --help' for a command's options.`;

export const commandHelp: Record<string, string> = {
  check: `Usage: ltx check FILE... [--set NAME=VALUE]... [--json]

Parses, resolves, type-checks and compiles each program. Every error is printed as
FILE:LINE:COL: error: MESSAGE with a code frame. Exit status 1 when any program has an error.
  --json   print {"files":[{"file","ok","stages","diagnostics":[...]}]} instead`,
  fmt: `Usage: ltx fmt [--check] FILE...

Rewrites each file in the canonical layout (comments kept). With --check nothing is written: the files
that would change are named and the exit status is 1 if there are any. A file with syntax errors is not
formatted (exit status 1).`,
  plan: `Usage: ltx plan FILE [--json] [--set NAME=VALUE]... [--cache DIR]

Lists every stage of the program in execution order: name, kind, op, key prefix, status (cached or run)
and why it runs (not in cache, which parameter changed since the cached result of the same name, which
input changed).
  --json   print {"stages":[{"id","name","kind","op","deps","status","reason"}]}`,
  graph: `Usage: ltx graph FILE [--format dot|mermaid|json] [--set NAME=VALUE]...

Prints the stage DAG (default format: dot).`,
  diff: `Usage: ltx diff OLD NEW [--json] [--set NAME=VALUE]...

Compares the stages of two programs. OLD and NEW are files or git revisions as REV:PATH
(e.g. HEAD~1:examples/quickstart.ltx). Stages with the same key in both are unchanged: their cached
results stay valid. A stage whose declaration name is in both but whose key differs is changed: its
parameter changes (old → new) and changed inputs are listed.
  --json   print {"added":[…],"removed":[…],"changed":[…],"unchanged":[…]}`,
};
