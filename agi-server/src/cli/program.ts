import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { parse } from 'yaml';
import type { Review } from '../config-service/routing-service.js';
import type { FieldChange } from '../routing/diff.js';
import type { Explanation } from '../routing/explain.js';
import type { Extension, OutboundConfig, Route } from '../routing/model.js';
import type { OutboundVerdict } from '../routing/outbound.js';
import type { CallRecord, VersionMeta } from '../store/types.js';
import { apiClient } from './client.js';
import { CliError, ExitCode, issueLines } from './errors.js';
import { table } from './format.js';
import { CALL_HEADERS, callRow, callTimeline, changesText, explanationText, localZone } from './render.js';

// switchboard: the admin CLI. It talks to the admin API (SWITCHBOARD_URL, SWITCHBOARD_TOKEN), so
// every change is validated, versioned and live on the next call, like any API change.

const DEFAULT_URL = 'http://127.0.0.1:8080';
type Version = { version: number; summary: string };

function packageVersion(): string {
  // agi-server/package.json: the package the `switchboard` bin belongs to (src/cli or dist/cli).
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const EXIT_CODES_HELP = `
Environment:
  SWITCHBOARD_URL     admin API address (default ${DEFAULT_URL}); --url overrides it
  SWITCHBOARD_TOKEN   admin API token, printed once by the server at first start; --token overrides it
  SWITCHBOARD_AUTHOR  name recorded with each change (default: your login name)

Exit codes:
  0  done
  1  the API refused the request (invalid input or document, not found, conflict)
  2  bad command line (unknown command or option, missing argument)
  3  the admin API cannot be reached at SWITCHBOARD_URL / --url
  4  no token, or the token was not accepted (SWITCHBOARD_TOKEN / --token)`;

/** Reads a routing file (YAML or JSON; `-` is standard input, so `export | apply -` works). */
function readDataFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.refused);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid YAML or JSON: ${(error as Error).message}`, ExitCode.refused);
  }
}

export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Switchboard admin: routes, schedules, extensions, outbound policies, explain, the call log')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .addOption(new Option('--url <url>', 'admin API address').env('SWITCHBOARD_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'admin API token').env('SWITCHBOARD_TOKEN'))
    .option('--json', 'print the API answer as JSON instead of text')
    .helpOption('-h, --help', 'show help for a command')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const client = () => {
    const options = program.opts<{ url: string; token?: string }>();
    const source = program.getOptionValueSource('url');
    return apiClient({
      url: options.url,
      urlSource:
        source === 'env' ? 'SWITCHBOARD_URL' : source === 'cli' ? '--url' : `the default (${DEFAULT_URL})`,
      token: options.token,
      author: process.env.SWITCHBOARD_AUTHOR ?? userInfo().username,
    });
  };
  const asJson = () => program.opts<{ json?: boolean }>().json === true;
  const print = (value: unknown, text: () => string) => {
    process.stdout.write(`${asJson() ? JSON.stringify(value, null, 2) : text()}\n`);
  };
  const printVersion = (result: Version) =>
    print(result, () => `version ${result.version}: ${result.summary}`);

  // Routes and the routing document
  const routes = program.command('routes').description('inbound routes and the whole routing document');
  routes
    .command('list')
    .description('list inbound routes: DID, callers, schedule, first step')
    .action(async () => {
      const list = await client().request<Route[]>('GET', '/routes');
      print(list, () =>
        table(
          ['ID', 'DID', 'CALLER', 'SCHEDULE', 'FIRST STEP'],
          list.map((route) => [
            route.id,
            route.did,
            route.caller ? ('exact' in route.caller ? route.caller.exact : `${route.caller.prefix}*`) : '*',
            route.schedule ?? '-',
            route.plans.open[0]?.type ?? '',
          ]),
        ),
      );
    });
  routes
    .command('show')
    .description('print one route as JSON')
    .argument('<id>', 'route id, e.g. main')
    .action(async (id: string) => {
      const route = await client().request<Route>('GET', `/routes/${encodeURIComponent(id)}`);
      print(route, () => JSON.stringify(route, null, 2));
    });
  routes
    .command('apply')
    .description(
      'create or replace the routes, schedules, extensions, settings and outbound section in a YAML or JSON file, as one version',
    )
    .argument('[file]', 'the file; - or nothing reads standard input', '-')
    .option('--dry-run', 'show the field-level changes and whether the result is valid; store nothing')
    .action(async (file: string, options: { dryRun?: boolean }) => {
      const body = readDataFile(file);
      if (!options.dryRun) return printVersion(await client().request<Version>('POST', '/apply', body));
      const review = await client().request<Review>('POST', '/apply?dryRun=true', body);
      print(review, () =>
        review.valid
          ? `valid against version ${review.basedOn}; nothing stored\n${changesText(review.changes)}`
          : [
              `invalid: nothing would be stored (version ${review.basedOn} stays)`,
              ...issueLines(review.issues),
            ].join('\n'),
      );
      if (!review.valid) process.exitCode = ExitCode.refused;
    });
  routes
    .command('export')
    .description('print the whole routing document as YAML; `routes apply` takes it back unchanged')
    .action(async () => {
      process.stdout.write(await client().request<string>('GET', '/export', undefined, { accept: 'text' }));
    });
  routes
    .command('rm')
    .description('delete a route (a new version; roll back to undo)')
    .argument('<id>', 'route id')
    .action(async (id: string) =>
      printVersion(await client().request<Version>('DELETE', `/routes/${encodeURIComponent(id)}`)),
    );
  routes
    .command('history')
    .description('versions of the routing document, newest first: who changed what, when')
    .option('-n, --limit <n>', 'versions to show', '20')
    .action(async (options: { limit: string }) => {
      const history = await client().request<VersionMeta[]>(
        'GET',
        `/history?limit=${encodeURIComponent(options.limit)}`,
        undefined,
        { flags: { limit: '--limit' } },
      );
      print(history, () =>
        table(
          ['VERSION', 'WHEN', 'WHO', 'WHAT'],
          history.map((entry) => [String(entry.version), entry.createdAt, entry.author, entry.summary]),
        ),
      );
    });
  routes
    .command('diff')
    .description('field-level changes between two versions')
    .requiredOption('--from <version>', 'the older version')
    .option('--to <version>', 'the newer version (default: the one in use)')
    .action(async (options: { from: string; to?: string }) => {
      const query = new URLSearchParams({ from: options.from, ...(options.to ? { to: options.to } : {}) });
      const diff = await client().request<{ from: number; to: number; changes: FieldChange[] }>(
        'GET',
        `/diff?${query}`,
        undefined,
        { flags: { from: '--from', to: '--to' } },
      );
      print(diff, () => `version ${diff.from} -> ${diff.to}\n${changesText(diff.changes)}`);
    });
  routes
    .command('rollback')
    .description('store an earlier version again, as a new version (default: the one before the current)')
    .option('--to <version>', 'the version to go back to')
    .action(async (options: { to?: string }) => {
      const to = options.to === undefined ? undefined : Number(options.to);
      if (to !== undefined && !(Number.isInteger(to) && to >= 1))
        throw new CliError(`--to: a version number such as 1, not ${options.to}`, ExitCode.usage);
      printVersion(await client().request<Version>('POST', '/rollback', to === undefined ? {} : { to }));
    });

  program
    .command('explain')
    .description(
      'what a call from --from to --to at --at would do, and why: route, plan, each step, ring time',
    )
    .requiredOption('--to <number>', 'the dialled DID, in any form (+19863334949, 986-333-4949)')
    .option('--from <number>', 'the caller')
    .option(
      '--at <time>',
      "when: 2026-12-25T10:00 on the route's schedule clock, or an ISO time with offset (default: now)",
    )
    .action(async (options: { to: string; from?: string; at?: string }) => {
      const explanation = await client().request<Explanation>('POST', '/explain', options, {
        flags: { to: '--to', from: '--from', at: '--at' },
      });
      print(explanation, () => explanationText(explanation));
    });

  // The call log
  const calls = program.command('calls').description('the call log');
  calls
    .command('tail')
    .description(`the latest calls, times on this machine's clock (${localZone()}); --follow keeps printing`)
    .option('-n, --limit <n>', 'calls to show', '20')
    .option('--did <number>', 'only calls to this DID')
    .option('-f, --follow', 'poll for new and changed calls every second')
    .action(async (options: { limit: string; did?: string; follow?: boolean }) => {
      const query = new URLSearchParams({
        limit: options.limit,
        ...(options.did ? { did: options.did } : {}),
      });
      const seen = new Map<string, string>();
      const show = async (first: boolean) => {
        const list = (
          await client().request<CallRecord[]>('GET', `/calls?${query}`, undefined, {
            flags: { limit: '--limit', did: '--did' },
          })
        ).reverse();
        const fresh = list.filter((call) => seen.get(call.linkedId) !== call.disposition);
        for (const call of fresh) seen.set(call.linkedId, call.disposition);
        if (asJson()) for (const call of fresh) process.stdout.write(`${JSON.stringify(call)}\n`);
        else if (first) process.stdout.write(`${table(CALL_HEADERS, list.map(callRow))}\n`);
        else if (fresh.length)
          process.stdout.write(
            `${table(CALL_HEADERS, fresh.map(callRow)).split('\n').slice(1).join('\n')}\n`,
          );
      };
      await show(true);
      while (options.follow) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await show(false);
      }
    });
  calls
    .command('show')
    .description("one call's timeline: each step, its outcome and time on the schedule's clock")
    .argument('<linkedid>', 'the call id shown by calls tail (LINKEDID)')
    .action(async (linkedId: string) => {
      const call = await client().request<CallRecord & { timeZone?: string }>(
        'GET',
        `/calls/${encodeURIComponent(linkedId)}`,
      );
      print(call, () => callTimeline(call));
    });

  // Extensions
  const ext = program.command('ext').description('the extensions directory');
  ext
    .command('list')
    .description('list extensions: endpoints, mailbox, outbound caller ID')
    .action(async () => {
      const list = await client().request<Extension[]>('GET', '/extensions');
      print(list, () =>
        table(
          ['NUMBER', 'NAME', 'ENDPOINTS', 'MAILBOX', 'OUTBOUND CALLER ID'],
          list.map((e) => [
            e.number,
            e.name,
            (e.endpoints ?? [e.number]).join(','),
            e.mailbox ?? '-',
            e.outboundCallerId ?? '-',
          ]),
        ),
      );
    });
  ext
    .command('set')
    .description('create or replace an extension')
    .argument('<number>', 'the extension number, 2 to 6 digits')
    .requiredOption('--name <name>', 'shown on phones and in the directory')
    .option('--endpoint <name...>', 'PJSIP endpoints that ring (default: the number)')
    .option('--mailbox <box>', 'voicemail box')
    .option('--caller-id <e164>', 'outbound caller ID (a number in outbound.ownedNumbers)')
    .option('--policy <id>', 'outbound policy (default: outbound.defaultPolicy)')
    .action(
      async (
        number: string,
        options: { name: string; endpoint?: string[]; mailbox?: string; callerId?: string; policy?: string },
      ) => {
        const body = {
          name: options.name,
          ...(options.endpoint ? { endpoints: options.endpoint } : {}),
          ...(options.mailbox ? { mailbox: options.mailbox } : {}),
          ...(options.callerId ? { outboundCallerId: options.callerId } : {}),
          ...(options.policy ? { outboundPolicy: options.policy } : {}),
        };
        const result = await client().request<Version>(
          'PUT',
          `/extensions/${encodeURIComponent(number)}`,
          body,
          {
            flags: {
              name: '--name',
              endpoints: '--endpoint',
              mailbox: '--mailbox',
              outboundCallerId: '--caller-id',
              outboundPolicy: '--policy',
              number: '<number>',
            },
          },
        );
        printVersion(result);
      },
    );

  // Outbound
  const outbound = program.command('outbound').description('outbound calls: policies, trunks, explain');
  outbound
    .command('show')
    .description('owned numbers, trunks, emergency numbers and policies')
    .action(async () => {
      const settings = await client().request<OutboundConfig>('GET', '/outbound');
      print(settings, () =>
        [
          `outside prefix: ${settings.outsidePrefix || '(none)'}   owned: ${settings.ownedNumbers.join(', ') || '-'}   default caller ID: ${settings.defaultCallerId ?? '-'}`,
          `trunks (in order): ${settings.trunks.map((trunk) => `${trunk.id}=${trunk.endpoint}`).join(', ') || '-'}   emergency: ${settings.emergencyNumbers.join(', ')}`,
          '',
          table(
            ['POLICY', 'ALLOW', 'COUNTRIES', 'CALLS/MIN', 'CONCURRENT', 'TRUNKS', 'BLOCKED'],
            settings.policies.map((policy) => [
              `${policy.id}${policy.id === settings.defaultPolicy ? ' (default)' : ''}`,
              policy.allow,
              policy.countries.join(',') || '-',
              String(policy.callsPerMinute),
              String(policy.maxConcurrent),
              policy.trunks?.join(',') ?? 'all',
              `${policy.blockedPrefixes.length} prefixes`,
            ]),
          ),
        ].join('\n'),
      );
    });
  outbound
    .command('policy')
    .description('create or replace an outbound policy')
    .argument('<id>', 'policy id, e.g. sales')
    .addOption(
      new Option('--allow <scope>', 'what may be dialled')
        .choices(['internal', 'national', 'countries', 'international'])
        .default('national'),
    )
    .option('--countries <list>', 'ISO country codes allowed besides the default country, e.g. GB,CA')
    .option('--calls-per-minute <n>', 'calls started per minute per extension')
    .option('--concurrent <n>', 'calls in progress per extension')
    .option('--trunks <list>', 'trunk ids in order')
    .option('--blocked <list>', 'blocked prefixes (replaces the default list)')
    .action(
      async (
        id: string,
        options: {
          allow: string;
          countries?: string;
          callsPerMinute?: string;
          concurrent?: string;
          trunks?: string;
          blocked?: string;
        },
      ) => {
        const list = (value: string | undefined) =>
          value
            ?.split(',')
            .map((item) => item.trim())
            .filter(Boolean);
        const body = {
          allow: options.allow,
          ...(options.countries ? { countries: list(options.countries) } : {}),
          ...(options.callsPerMinute ? { callsPerMinute: Number(options.callsPerMinute) } : {}),
          ...(options.concurrent ? { maxConcurrent: Number(options.concurrent) } : {}),
          ...(options.trunks ? { trunks: list(options.trunks) } : {}),
          ...(options.blocked ? { blockedPrefixes: list(options.blocked) } : {}),
        };
        const result = await client().request<Version>(
          'PUT',
          `/outbound/policies/${encodeURIComponent(id)}`,
          body,
          {
            flags: {
              allow: '--allow',
              countries: '--countries',
              callsPerMinute: '--calls-per-minute',
              maxConcurrent: '--concurrent',
              trunks: '--trunks',
              blockedPrefixes: '--blocked',
            },
          },
        );
        printVersion(result);
      },
    );
  outbound
    .command('explain')
    .description(
      'what dialling a number from an extension does: the number, caller ID and trunks, or why not',
    )
    .requiredOption('--ext <number>', 'the calling extension')
    .requiredOption('--dial <digits>', 'what the phone dialled')
    .action(async (options: { ext: string; dial: string }) => {
      const explanation = await client().request<{
        version: number;
        verdict: OutboundVerdict;
        attempts: Array<{ label: string }>;
      }>(
        'POST',
        '/outbound/explain',
        { extension: options.ext, dialled: options.dial },
        { flags: { extension: '--ext', dialled: '--dial' } },
      );
      print(explanation, () => {
        const { verdict } = explanation;
        if (verdict.kind === 'denied')
          return `${options.dial} from ${options.ext}: denied (${verdict.reason})${verdict.number ? ` ${verdict.number}` : ''}`;
        if (verdict.kind === 'internal')
          return `${options.dial} from ${options.ext}: internal call to extension ${verdict.extension}`;
        return [
          `${options.dial} from ${options.ext}: ${verdict.emergency ? 'emergency ' : ''}${verdict.number} with caller ID ${verdict.callerId ?? '(unchanged)'}`,
          ...explanation.attempts.map((attempt, index) => `  ${index + 1}. ${attempt.label}`),
        ].join('\n');
      });
    });

  return program;
}

/** Every command in the tree, depth first (for tests and for help that lists them all). */
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
