// How often a long training stage commits an intermediate checkpoint (the checkpoint of its run at the
// step it has reached, an ordinary cache entry): every 5 minutes of training by default, so Ctrl-C, a
// crash or a lost node costs at most about that much work, while the commits (a download of the
// weights and optimizer state, a write, an fsync) stay a negligible part of the stage. Steps the program
// refers to are stages of their own and are committed anyway.
//
// LTX_CHECKPOINT_EVERY_SECONDS changes the interval; LTX_CHECKPOINT_EVERY_STEPS adds a step count (whichever
// comes first), which is what tests use: it does not depend on the machine's speed.

/** When intermediate checkpoints are due; the stage commits them through the runtime. */
export interface CheckpointSchedule {
  everySteps?: number;
  everyMs: number;
}

export const DEFAULT_CHECKPOINT_EVERY_MS = 5 * 60_000;

export const DEFAULT_CHECKPOINT_SCHEDULE: CheckpointSchedule = { everyMs: DEFAULT_CHECKPOINT_EVERY_MS };

/** A variable that does not hold what it should. */
export class CheckpointScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointScheduleError';
  }
}

/** The schedule the environment asks for; throws CheckpointScheduleError naming a malformed variable. */
export function checkpointScheduleFrom(env: NodeJS.ProcessEnv): CheckpointSchedule {
  const seconds = positive(env, 'LTX_CHECKPOINT_EVERY_SECONDS', /^\d+(\.\d+)?$/, 'a number of seconds > 0');
  const steps = positive(env, 'LTX_CHECKPOINT_EVERY_STEPS', /^\d+$/, 'a whole number of steps ≥ 1');
  return {
    everyMs: seconds === undefined ? DEFAULT_CHECKPOINT_EVERY_MS : seconds * 1000,
    ...(steps === undefined ? {} : { everySteps: steps }),
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, pattern: RegExp, expected: string): number | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text.trim());
  if (!pattern.test(text.trim()) || !(value > 0)) throw new CheckpointScheduleError(`${name}=${text}: expected ${expected}`);
  return value;
}
