import type { Command } from 'commander';
import type { BlockAction, Blocklist } from '../../routing/blocklist-model.js';
import type { CliContext, Version } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { table } from '../format.js';

/** `block …`: the blocklist (see docs/blocklist.md). */

function actionText(action: BlockAction | undefined): string {
  if (!action) return '(default)';
  if (action.type === 'announcement') return `announcement ${action.announcement}`;
  if (action.type === 'voicemail') return `voicemail ${action.mailbox}`;
  return 'busy';
}

/** `--action busy`, `--action announcement:custom/blocked`, `--action voicemail:100`. */
function parseAction(text: string): BlockAction {
  const [type, value] = text.split(':', 2);
  if (type === 'busy' && value === undefined) return { type: 'busy' };
  if (type === 'announcement' && value) return { type: 'announcement', announcement: value };
  if (type === 'voicemail' && value) return { type: 'voicemail', mailbox: value };
  throw new CliError('--action: busy, announcement:<sound> or voicemail:<mailbox>', ExitCode.usage);
}

export function registerBlockCommands(program: Command, { client, print, printVersion }: CliContext): void {
  const block = program.command('block').description('the blocklist: callers refused before any phone rings');
  block
    .command('list')
    .description('list blocked callers: number, prefix (+1900*) or anonymous, routes, action')
    .action(async () => {
      const blocklist = await client().request<Blocklist>('GET', '/blocklist');
      print(blocklist, () =>
        [
          `default action: ${actionText(blocklist.action)}`,
          table(
            ['CALLER', 'ROUTES', 'ACTION', 'NOTE'],
            blocklist.entries.map((entry) => [
              entry.caller,
              entry.routes?.length ? entry.routes.join(',') : '*',
              actionText(entry.action),
              entry.note || '-',
            ]),
          ),
        ].join('\n'),
      );
    });
  block
    .command('add')
    .description(
      'block a caller on every route, or on the routes named (a new version, live on the next call)',
    )
    .argument('<caller>', 'an E.164 number, a prefix ending in * (+1900*), or anonymous')
    .option('--route <id...>', 'only on these routes (default: every route)')
    .option(
      '--action <action>',
      'busy, announcement:<sound> or voicemail:<mailbox> (default: the blocklist default)',
    )
    .option('--note <text>', 'why, for people')
    .action(async (caller: string, options: { route?: string[]; action?: string; note?: string }) => {
      const body = {
        ...(options.route ? { routes: options.route } : {}),
        ...(options.action ? { action: parseAction(options.action) } : {}),
        ...(options.note ? { note: options.note } : {}),
      };
      printVersion(
        await client().request<Version>('PUT', `/blocklist/entries/${encodeURIComponent(caller)}`, body, {
          flags: { routes: '--route', action: '--action', note: '--note', caller: '<caller>' },
        }),
      );
    });
  block
    .command('rm')
    .description('unblock a caller (a new version, live on the next call)')
    .argument('<caller>', 'the entry as listed: number, prefix ending in *, or anonymous')
    .action(async (caller: string) =>
      printVersion(
        await client().request<Version>('DELETE', `/blocklist/entries/${encodeURIComponent(caller)}`),
      ),
    );
}
