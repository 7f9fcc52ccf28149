import { join } from 'node:path';
import { packageRoot } from '../util/package.js';

/** The compiled worker: children always run JS from dist/, also when the parent is vitest running .ts sources. */
export function workerPath(): string {
  return join(packageRoot(), 'dist', 'src', 'profile', 'worker.js');
}
