// `ltx status FILE`: where each stage stands on Slurm (done, queued, running, failed, not submitted),
// with its job, node and elapsed time. Read-only: one batched squeue, no claims, nothing written.
import { cachedKeys } from '../../runtime/cache-survey.ts';
import { SlurmFiles } from '../../runtime/executors/slurm/job-files.ts';
import { stageStatuses, type StagePosition } from '../../runtime/executors/slurm/status.ts';
import { compileFile, printJson, stopsOnErrors, type CompileFlags } from '../compile-file.ts';
import { paint, table, useColor, type Paint } from '../terminal.ts';
import { EXIT } from '../usage.ts';
import { openCache } from './cache.ts';

export async function statusCommand(file: string, compileFlags: CompileFlags, json: boolean, cacheFlag: string | undefined): Promise<number> {
  const program = await compileFile(file, compileFlags);
  if (stopsOnErrors(file, program, json)) return EXIT.invalid;
  const store = await openCache('status', cacheFlag);
  const statuses = await stageStatuses(program.stages, await cachedKeys(store, program.stages), new SlurmFiles(store.root));
  if (json) {
    printJson({
      file,
      cache: store.root,
      stages: statuses.map((s) => ({
        id: s.stage.key, name: s.stage.name, kind: s.stage.kind, status: s.position,
        ...(s.job === undefined ? {} : { job: s.job }), ...(s.node === undefined ? {} : { node: s.node }),
        ...(s.elapsed === undefined ? {} : { elapsed: s.elapsed }), ...(s.detail === undefined ? {} : { detail: s.detail }),
      })),
    });
    return EXIT.ok;
  }
  const p = paint(useColor(process.stdout));
  const rows = statuses.map((s) => [s.stage.name, s.stage.kind, colored(s.position, p), s.job ?? '', s.node ?? '', s.elapsed ?? '', p.dim(s.detail ?? '')]);
  process.stdout.write(table(rows, ['STAGE', 'KIND', 'STATUS', 'JOB', 'NODE', 'ELAPSED', 'DETAIL']) + '\n');
  const count = (position: StagePosition) => statuses.filter((s) => s.position === position).length;
  process.stdout.write(`\n${(['done', 'running', 'queued', 'failed', 'not submitted'] as const).map((position) => `${count(position)} ${position}`).join(', ')}\n`);
  return EXIT.ok;
}

function colored(position: StagePosition, p: Paint): string {
  if (position === 'done') return p.green(position);
  if (position === 'failed') return p.red(position);
  return position === 'not submitted' ? p.dim(position) : p.yellow(position);
}
