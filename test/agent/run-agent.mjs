// Runs the compiled `lts agent` subcommand alone (without the rest of the CLI), for tests that need
// an agent in its own process so they can kill it.
import { agentCommand } from '../../dist/src/cli/agent.js';

await agentCommand().parseAsync(process.argv.slice(2), { from: 'user' });
