import type { Command } from 'commander';
import type { Extension } from '../../routing/model.js';
import type { CliContext, Version } from '../context.js';
import { table } from '../format.js';

/** `ext …`: the extensions directory. */
export function registerExtensionCommands(
  program: Command,
  { client, print, printVersion }: CliContext,
): void {
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
}
