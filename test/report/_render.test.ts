import { it } from 'vitest';
import { cpSync, rmSync } from 'node:fs';
import { makeRunDir } from './fixture.js';
import { writeReport } from '../../src/report/index.js';
it('render sample', async () => {
  const f = makeRunDir();
  rmSync('/tmp/lts-sample', { recursive: true, force: true });
  cpSync(f.dir, '/tmp/lts-sample', { recursive: true });
  await writeReport('/tmp/lts-sample');
});
