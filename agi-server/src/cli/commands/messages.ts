import type { Command } from 'commander';
import type { PhoneTextResult } from '../../messaging/phone-texts.js';
import type { MessageRecord } from '../../store/message-types.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';

/** `messages …`: the message log (docs/messaging.md). */

const HEADERS = ['WHEN', 'DIR', 'FROM', 'TO', 'EXT', 'BYTES', 'STATUS', 'TEXT'];

/** One line per text: the body shortened and with its line breaks shown, so a table stays a table. */
function messageRow(message: MessageRecord): string[] {
  const text = message.body.replace(/[\r\n\t]+/g, ' ');
  return [
    message.at,
    message.direction,
    message.from,
    message.to,
    message.extensions.join(','),
    String(message.bodyBytes),
    message.status,
    text.length > 40 ? `${text.slice(0, 39)}…` : text,
  ];
}

export function registerMessageCommands(program: Command, { client, asJson }: CliContext): void {
  const messages = program.command('messages').description('the message log: texts in and out');
  messages
    .command('tail')
    .description('the latest texts, newest last; --follow keeps printing new ones and status changes')
    .option('-n, --limit <n>', 'texts to show', '20')
    .option('--number <number>', 'only texts from or to this number')
    .option('--ext <extension>', 'only texts of this extension')
    .option('-f, --follow', 'poll for new and changed texts every second')
    .action(async (options: { limit: string; number?: string; ext?: string; follow?: boolean }) => {
      const query = new URLSearchParams({
        limit: options.limit,
        ...(options.number ? { number: options.number } : {}),
        ...(options.ext ? { extension: options.ext } : {}),
      });
      const seen = new Map<string, string>();
      const show = async (first: boolean) => {
        const list = (
          await client().request<MessageRecord[]>('GET', `/messages?${query}`, undefined, {
            flags: { limit: '--limit', number: '--number', extension: '--ext' },
          })
        ).reverse();
        const fresh = list.filter((message) => seen.get(message.id) !== message.status);
        for (const message of fresh) seen.set(message.id, message.status);
        if (asJson()) for (const message of fresh) process.stdout.write(`${JSON.stringify(message)}\n`);
        else if (first) process.stdout.write(`${table(HEADERS, list.map(messageRow))}\n`);
        else if (fresh.length)
          process.stdout.write(`${table(HEADERS, fresh.map(messageRow)).split('\n').slice(1).join('\n')}\n`);
      };
      await show(true);
      while (options.follow) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await show(false);
      }
    });
  messages
    .command('send')
    .description(
      "send a text as an extension: to another extension (delivered to its phones) or a number (through Twilio from the extension's own number), under its outbound policy and per-minute limit",
    )
    .requiredOption('--ext <extension>', 'the extension it is sent as')
    .argument(
      '<to>',
      'an extension, or a number as the phone would dial it (E.164 or with the outside prefix)',
    )
    .argument('<text...>', 'the text (words are joined with spaces)')
    .action(async (to: string, words: string[], options: { ext: string }) => {
      const result = await client().request<PhoneTextResult>(
        'POST',
        '/messages',
        { extension: options.ext, to, body: words.join(' ') },
        { flags: { extension: '--ext', to: '<to>', body: '<text>' } },
      );
      if (asJson()) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.outcome === 'local')
        process.stdout.write(`queued for extension ${result.to}'s phones (${result.id})\n`);
      else if (result.outcome === 'sms')
        process.stdout.write(`queued for Twilio: ${result.sender} -> ${result.to} (${result.id})\n`);
    });
}
