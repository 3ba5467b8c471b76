import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { apiClient } from './client.js';
import { registerBlockCommands } from './commands/block.js';
import { registerCallCommands } from './commands/calls.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerExtensionCommands } from './commands/ext.js';
import { registerMessageCommands } from './commands/messages.js';
import { registerOutboundCommands } from './commands/outbound.js';
import { registerRouteCommands } from './commands/routes.js';
import { registerVoicemailCommands } from './commands/voicemail.js';
import type { CliContext } from './context.js';
import { CliError, ExitCode } from './errors.js';

// switchboard: the admin CLI. It talks to the admin API (SWITCHBOARD_URL, SWITCHBOARD_TOKEN), so
// every change is validated, versioned and live on the next call, like any API change. Each
// command group registers itself from commands/.

const DEFAULT_URL = 'http://127.0.0.1:8080';

function packageVersion(): string {
  // agi-server/package.json: the package the `switchboard` bin belongs to (src/cli or dist/cli).
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const ENVIRONMENT_AND_EXIT_CODES = `
Environment:
  SWITCHBOARD_URL     admin API address (default ${DEFAULT_URL}); --url overrides it
  SWITCHBOARD_TOKEN   admin API token, printed once by the server at first start; --token overrides it
  SWITCHBOARD_AUTHOR  name recorded with each change (default: your login name)

Exit codes:
  ${ExitCode.ok}  done
  ${ExitCode.refused}  the API refused the request (invalid input or document, not found, conflict)
  ${ExitCode.usage}  bad command line (unknown command or option, missing argument)
  ${ExitCode.unreachable}  the admin API cannot be reached at SWITCHBOARD_URL / --url
  ${ExitCode.unauthorised}  no token, or the token was not accepted (SWITCHBOARD_TOKEN / --token)`;

export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Switchboard admin: routes, schedules, extensions, outbound policies, explain, the call log')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .addOption(new Option('--url <url>', 'admin API address').env('SWITCHBOARD_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'admin API token').env('SWITCHBOARD_TOKEN'))
    .option('--json', 'print the API answer as JSON instead of text')
    .helpOption('-h, --help', 'show help for a command')
    .addHelpText('after', ENVIRONMENT_AND_EXIT_CODES)
    .showHelpAfterError('(add --help for usage)')
    // Errors come back to runCli, which maps them to the documented exit codes.
    .exitOverride();

  const asJson = () => program.opts<{ json?: boolean }>().json === true;
  const print: CliContext['print'] = (value, text) => {
    process.stdout.write(`${asJson() ? JSON.stringify(value, null, 2) : text()}\n`);
  };
  const context: CliContext = {
    client: () => {
      const options = program.opts<{ url: string; token?: string }>();
      const source = program.getOptionValueSource('url');
      return apiClient({
        url: options.url,
        urlSource:
          source === 'env' ? 'SWITCHBOARD_URL' : source === 'cli' ? '--url' : `the default (${DEFAULT_URL})`,
        token: options.token,
        author: process.env.SWITCHBOARD_AUTHOR ?? userInfo().username,
      });
    },
    asJson,
    print,
    printVersion: (result) => print(result, () => `version ${result.version}: ${result.summary}`),
  };
  registerRouteCommands(program, context);
  registerExplainCommand(program, context);
  registerCallCommands(program, context);
  registerMessageCommands(program, context);
  registerVoicemailCommands(program, context);
  registerExtensionCommands(program, context);
  registerOutboundCommands(program, context);
  registerBlockCommands(program, context);
  return program;
}

/** Every command in the tree, depth first (tests check each has help). */
export function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((sub) => allCommands(sub))];
}

/** Runs the CLI; answers the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with code 0; commander has already printed them.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const exitCode = error instanceof CliError ? error.exitCode : ExitCode.refused;
    process.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCode;
  }
}
