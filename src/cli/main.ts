#!/usr/bin/env node
// Entry point: wires each subcommand module and turns every error into one line and a non-zero exit.
import { Command, CommanderError } from 'commander';
import { LtsError, oneLine } from '../util/errors.js';
import { toolVersion } from '../util/package.js';
import { agentCommand } from './agent.js';
import { calibrateCommand } from './calibrate.js';
import { correlateCommand } from './correlate.js';
import { doctorCommand } from './doctor.js';
import { exportCommand } from './export.js';
import { paramsCommand } from './params.js';
import { pickCommand } from './pick.js';
import { profileCommand } from './profile.js';
import { reportCommand } from './report.js';
import { searchCommand } from './search.js';

/** Commander's own errors (unknown option, bad choice) in the `lts: error: ...` form, on one line. */
const output = {
  outputError: (str: string, write: (s: string) => void) => write(str.startsWith('error:') ? `lts: ${oneLine(str)}\n` : str),
};

function program(): Command {
  const root = new Command('lts')
    .description('Training-free, hardware-aware architecture search for small autoregressive language models')
    .version(toolVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput(output)
    .exitOverride();
  for (const cmd of [
    searchCommand(),
    paramsCommand(),
    exportCommand(),
    profileCommand(),
    doctorCommand(),
    agentCommand(),
    reportCommand(),
    pickCommand(),
    correlateCommand(),
    calibrateCommand(),
  ]) {
    root.addCommand(cmd.exitOverride().configureOutput(output).showHelpAfterError('(run with --help for usage)'));
  }
  return root;
}

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
