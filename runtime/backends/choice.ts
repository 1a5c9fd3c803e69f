// What a backend request and a backend choice are, without loading TensorFlow.js: the command line
// checks `--backend` and prints the choice from here, so a run that computes nothing never loads tfjs.
export type BackendRequest = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface BackendAttempt {
  backend: string;
  ok: boolean;
  /** For a failure, why (e.g. "not installed"); for the chosen backend, how it runs. */
  why: string;
}

export interface BackendChoice {
  name: BackendName;
  tried: BackendAttempt[];
}

export const backendRequests: readonly BackendRequest[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** One line per attempt, for the CLI: "wasm: chosen (WebAssembly with SIMD, 1 thread)". */
export function describeChoice(choice: BackendChoice): string[] {
  return choice.tried.map((t) =>
    t.ok && t.backend === choice.name ? `${t.backend}: chosen (${t.why})` : `${t.backend}: skipped (${t.why})`,
  );
}
