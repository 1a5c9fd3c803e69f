// The ltx command line: argument parsing, dispatch, exit statuses. Bad input ends in one clear line
// (the flag, or FILE:LINE:COL), never a stack trace. Each command's module is loaded when it runs:
// `ltx --help` loads no compiler, `ltx check` no store, and only a run that computes loads TensorFlow.
import { parseArgs } from 'node:util';
import { StoreError } from '../runtime/store/errors.ts';
import { commandHelp, overview } from './help.ts';
import { parseMaxStages, parseSets, type CompileFlags } from './param-sets.ts';
import { EXIT, UsageError } from './usage.ts';

const options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  set: { type: 'string', multiple: true },
  cache: { type: 'string' },
  format: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  backend: { type: 'string' },
  executor: { type: 'string' },
  only: { type: 'string' },
  'device-cache': { type: 'string' },
  csv: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  repair: { type: 'boolean' },
  layout: { type: 'string' },
  'max-stages': { type: 'string' },
  keep: { type: 'string', multiple: true },
  'keep-days': { type: 'string' },
  'dry-run': { type: 'boolean' },
  curves: { type: 'boolean' },
  // What editors' language clients pass to a server they start (the transport, their process id).
  stdio: { type: 'boolean' },
  clientProcessId: { type: 'string' },
} as const;

/** Which options each command accepts (parseArgs checks spelling; this checks fit). */
const accepts: Record<string, (keyof typeof options)[]> = {
  check: ['help', 'json', 'set', 'max-stages', 'cache'],
  fmt: ['help', 'check'],
  plan: ['help', 'json', 'set', 'max-stages', 'cache'],
  graph: ['help', 'format', 'set', 'max-stages', 'cache'],
  diff: ['help', 'json', 'set', 'max-stages', 'cache'],
  run: ['help', 'json', 'set', 'max-stages', 'cache', 'jobs', 'backend', 'executor', 'only', 'device-cache'],
  results: ['help', 'json', 'csv', 'curves', 'set', 'max-stages', 'cache'],
  report: ['help', 'out', 'set', 'max-stages', 'cache'],
  export: ['help', 'format', 'layout', 'out', 'set', 'max-stages', 'cache'],
  cache: ['help', 'json', 'cache', 'repair', 'keep', 'keep-days', 'dry-run', 'set', 'max-stages'],
  lsp: ['help', 'stdio', 'clientProcessId'],
};

function arity(command: string, positionals: string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`ltx ${command}: missing ${what} (see 'ltx ${command} --help')`);
  if (positionals.length > max) throw new UsageError(`ltx ${command}: unexpected argument '${positionals[max]}' (see 'ltx ${command} --help')`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(overview + '\n');
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '--version') {
    process.stdout.write('ltx 0.1.0\n');
    return EXIT.ok;
  }
  const allowed = accepts[command];
  if (!allowed) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(accepts).join(', ')}; see 'ltx --help')`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`ltx ${command}: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
  const { values, positionals } = parsed;
  for (const flag of Object.keys(values) as (keyof typeof options)[]) {
    if (!allowed.includes(flag)) throw new UsageError(`ltx ${command}: unknown option '--${flag}' (see 'ltx ${command} --help')`);
  }
  if (values.help) {
    process.stdout.write((commandHelp[command] ?? overview) + '\n');
    return EXIT.ok;
  }
  const compileFlags: CompileFlags = { sets: parseSets(values.set), maxStages: parseMaxStages(values['max-stages']) };
  switch (command) {
    case 'check': {
      arity(command, positionals, 1, Infinity, 'FILE');
      const { checkCommand } = await import('./commands/check.ts');
      return await checkCommand(positionals, compileFlags, Boolean(values.json));
    }
    case 'fmt': {
      arity(command, positionals, 1, Infinity, 'FILE');
      const { fmtCommand } = await import('./commands/fmt.ts');
      return await fmtCommand(positionals, Boolean(values.check));
    }
    case 'plan': {
      arity(command, positionals, 1, 1, 'FILE');
      const { planCommand } = await import('./commands/plan.ts');
      return await planCommand(positionals[0]!, compileFlags, Boolean(values.json), values.cache);
    }
    case 'graph': {
      arity(command, positionals, 1, 1, 'FILE');
      const { graphCommand } = await import('./commands/graph.ts');
      return await graphCommand(positionals[0]!, compileFlags, values.format ?? 'dot');
    }
    case 'diff': {
      arity(command, positionals, 2, 2, 'OLD and NEW');
      const { diffCommand } = await import('./commands/diff.ts');
      return await diffCommand(positionals[0]!, positionals[1]!, compileFlags, Boolean(values.json));
    }
    case 'run': {
      arity(command, positionals, 1, 1, 'FILE');
      const { runCommand } = await import('./commands/run.ts');
      return await runCommand(positionals[0]!, compileFlags, {
        json: Boolean(values.json), jobs: values.jobs, backend: values.backend, executor: values.executor,
        only: values.only, cache: values.cache, deviceCache: values['device-cache'],
      });
    }
    case 'results': {
      arity(command, positionals, 1, 1, 'FILE');
      const { resultsCommand, resultsFormat } = await import('./commands/results.ts');
      return await resultsCommand(positionals[0]!, compileFlags, resultsFormat(Boolean(values.json), Boolean(values.csv)), values.cache, Boolean(values.curves));
    }
    case 'report': {
      arity(command, positionals, 1, 1, 'FILE');
      const { reportCommand } = await import('./commands/report.ts');
      return await reportCommand(positionals[0]!, compileFlags, values.out, values.cache);
    }
    case 'export': {
      arity(command, positionals, 2, 2, 'FILE and NAME');
      const { exportCommand } = await import('./commands/export.ts');
      return await exportCommand(positionals[0]!, positionals[1]!, compileFlags, { format: values.format, layout: values.layout, out: values.out, cache: values.cache });
    }
    case 'cache': {
      const { cacheActions, cacheCommand } = await import('./commands/cache.ts');
      arity(command, positionals, 1, 1, `action (${cacheActions.join(', ')})`);
      return await cacheCommand(positionals[0]!, {
        cache: values.cache, json: Boolean(values.json), repair: Boolean(values.repair),
        keep: values.keep, keepDays: values['keep-days'], dryRun: Boolean(values['dry-run']), compileFlags,
      });
    }
    case 'lsp': {
      arity(command, positionals, 0, 0, '');
      const { lspCommand } = await import('./commands/lsp.ts');
      return await lspCommand();
    }
  }
  throw new UsageError(`unknown command '${command}'`);
}

export async function run(argv: string[]): Promise<void> {
  let status: number;
  try {
    status = await main(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(error.message.split('\n').map((line) => `ltx: ${line}\n`).join(''));
      status = EXIT.usage;
    } else if (error instanceof StoreError) {
      // A cache that cannot be used as asked (damaged, read-only, unreadable): the message says which.
      process.stderr.write(`ltx: ${error.message}\n`);
      status = EXIT.invalid;
    } else {
      process.stderr.write(`ltx: internal error: ${(error as Error).message}\n${process.env.LTX_DEBUG ? (error as Error).stack + '\n' : 'set LTX_DEBUG=1 for the stack trace, and please report it\n'}`);
      status = 70;
    }
  }
  process.exitCode = status;
}
