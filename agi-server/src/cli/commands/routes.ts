import type { Command } from 'commander';
import type { Review } from '../../config-service/routing-service.js';
import type { FieldChange } from '../../routing/diff.js';
import type { Route } from '../../routing/model.js';
import type { VersionMeta } from '../../store/types.js';
import type { CliContext, Version } from '../context.js';
import { readDataFile } from '../data-file.js';
import { CliError, ExitCode, issueLines } from '../errors.js';
import { table } from '../format.js';
import { changesText } from '../render.js';

/** `routes …`: inbound routes and the whole routing document (apply, export, diff, history, rollback). */
export function registerRouteCommands(program: Command, { client, print, printVersion }: CliContext): void {
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
          // WHO is the name the client sent; TOKEN the admin token that made the change.
          ['VERSION', 'WHEN', 'WHO', 'WHAT', 'TOKEN'],
          history.map((entry) => [
            String(entry.version),
            entry.createdAt,
            entry.author,
            entry.summary,
            entry.authorToken ?? '',
          ]),
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
}
