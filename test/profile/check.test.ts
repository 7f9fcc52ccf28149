import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDevice, CUDA_INSTALL_CMD, loadDevice } from '../../src/profile/index.js';
import { ortBinDir } from '../../src/profile/doctor.js';
import { LtsError } from '../../src/util/errors.js';

const cudaInstalled = existsSync(join(ortBinDir(), 'libonnxruntime_providers_cuda.so'));

describe('preflight', () => {
  it.skipIf(cudaInstalled)('missing CUDA provider: one line naming what is missing and the install command', async () => {
    const err = await checkDevice(loadDevice('cuda')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LtsError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toContain('CUDA execution provider');
    expect(msg).toContain('libonnxruntime_providers_cuda.so');
    expect(msg).toContain(CUDA_INSTALL_CMD);
  });

  it('the cpu profile passes', async () => {
    await expect(checkDevice(loadDevice('cpu'))).resolves.toBeUndefined();
  });
});
