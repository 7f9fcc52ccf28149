// Reading a config file from disk: the one side effect of the space, kept apart from the pure parsing.
import { readFileSync } from 'node:fs';
import { importConfig, importNote } from '../config/import.js';
import { LtsError } from '../util/errors.js';
import { parseConfig } from './parse.js';
import type { ArchConfig } from './types.js';

/**
 * Read and parse a JSON config file; every failure is one LtsError line naming the file. archai and
 * Hugging Face configs are converted first, with a one-line note on stderr of what was mapped.
 */
export function loadConfigFile(file: string): ArchConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LtsError(`cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LtsError(`config ${file} is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
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
