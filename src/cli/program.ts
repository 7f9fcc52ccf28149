// The `lts` command tree: every subcommand module wired under one root. Separate from main.ts so that
// a test can parse a command line with the real program without running it (test/readme.test.ts).
import { Command } from 'commander';
import { oneLine } from '../util/errors.js';
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

/**
 * Commander's own errors (unknown option, bad choice) in the `lts: error: ...` form, on one line with
 * the pointer to --help (commander's showHelpAfterError would print that as a second line).
 */
const output = {
  outputError: (str: string, write: (s: string) => void) => write(str.startsWith('error:') ? `lts: ${oneLine(str)} (run with --help for usage)\n` : str),
};

export function program(): Command {
  const root = new Command('lts')
    .description('Training-free, hardware-aware architecture search for small autoregressive language models')
    .version(toolVersion())
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
    root.addCommand(cmd.exitOverride().configureOutput(output));
  }
  return root;
}
