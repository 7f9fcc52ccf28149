#!/usr/bin/env node
// Entry point: runs the command tree (program.ts) and turns every error into one line and a non-zero exit.
import { CommanderError } from 'commander';
import { LtsError, oneLine } from '../util/errors.js';
import { program } from './program.js';

function fail(message: string, code: number): never {
  // One line, whatever the message carried (parser errors, wrapped native errors).
  process.stderr.write(`lts: error: ${oneLine(message)}\n`);
  process.exit(code);
}

try {
  await program().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has already printed its own one-line message (or the help/version text).
    process.exit(err.exitCode);
  }
  if (err instanceof LtsError) fail(err.message, 1);
  const e = err as Error;
  if (process.env.LTS_DEBUG) process.stderr.write(`${e.stack ?? e}\n`);
  fail(`${e.message ?? String(e)} (unexpected; set LTS_DEBUG=1 for the stack)`, 1);
}
