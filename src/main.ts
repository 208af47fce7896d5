import { Command } from 'commander';
import { registerCommands } from './cli/commands.js';
import { describeError } from './lib/errors.js';

const program = new Command('ak').description('authentik-ts: identity provider');
registerCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  // A command that fails says why in one line; stack traces are for debugging, not for operators' logs.
  console.error(`ak: ${describeError(err)}`);
  process.exit(1);
}
