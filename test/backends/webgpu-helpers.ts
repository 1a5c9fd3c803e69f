// For the WebGPU tests: whether tfjs's webgpu backend starts here (Dawn on a Vulkan adapter; in CI
// mesa's lavapipe, a software one), and why not when it does not, so that the tests are skipped
// with that reason printed, never silently.
import { initBackend } from '../../runtime/backends/select.ts';

async function webGpuStarts(): Promise<string | undefined> {
  try {
    await initBackend('webgpu');
    return undefined;
  } catch (error) {
    return `WebGPU does not start here: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Undefined when webgpu starts; otherwise the skip reason (also printed once, on stderr). */
export const webGpuMissing = await webGpuStarts();
if (webGpuMissing !== undefined) process.stderr.write(`${webGpuMissing}\n`);
