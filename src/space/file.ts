// Reading a config file from disk: the one side effect of the space, kept apart from the pure parsing.
import { importConfig, importNote } from '../config/import.js';
import { LtsError } from '../util/errors.js';
import { readJsonFile } from '../util/files.js';
import { parseConfig } from './parse.js';
import type { ArchConfig } from './types.js';

/**
 * Read and parse a JSON config file; every failure is one LtsError line naming the file. archai and
 * Hugging Face configs are converted first, with a one-line note on stderr of what was mapped.
 */
export function loadConfigFile(file: string): ArchConfig {
  const json = readJsonFile(file, 'config');
  try {
    const imported = importConfig(json);
    const note = importNote(imported, file);
    if (note) process.stderr.write(`lts: ${note}\n`);
    return parseConfig(imported.raw);
  } catch (e) {
    if (e instanceof LtsError) throw new LtsError(`${file}: ${e.message}`);
    throw e;
  }
}
