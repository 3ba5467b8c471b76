import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { table } from '../format.js';

/** `voicemail …`: visual voicemail (docs/voicemail.md). */

interface VoicemailMessage {
  id: string;
  mailbox: string;
  status: 'new' | 'heard';
  callerNumber?: string;
  callerName?: string;
  at: string;
  durationSeconds: number;
}
interface VoicemailList {
  mailboxes: Array<{
    mailbox: string;
    owner?: { name: string };
    new: number;
    heard: number;
    messages: VoicemailMessage[];
  }>;
}

const HEADERS = ['MAILBOX', 'ID', 'STATUS', 'FROM', 'WHEN', 'SECONDS'];

export function registerVoicemailCommands(program: Command, { client, print }: CliContext): void {
  const voicemail = program
    .command('voicemail')
    .description("the PBX's voicemail: list, play, mark heard, delete");
  voicemail
    .command('list')
    .description('messages of every mailbox (or one), new first')
    .option('--mailbox <box>', 'only this mailbox')
    .action(async (options: { mailbox?: string }) => {
      const query = options.mailbox ? `?${new URLSearchParams({ mailbox: options.mailbox })}` : '';
      const list = await client().request<VoicemailList>('GET', `/voicemail${query}`, undefined, {
        flags: { mailbox: '--mailbox' },
      });
      print(list, () =>
        table(
          HEADERS,
          list.mailboxes.flatMap((box) =>
            box.messages.map((message) => [
              box.mailbox,
              message.id,
              message.status,
              [message.callerName, message.callerNumber].filter(Boolean).join(' ') || 'unknown',
              message.at,
              String(message.durationSeconds),
            ]),
          ),
        ),
      );
    });
  voicemail
    .command('play')
    .description("a message's audio (WAV) into a file, or to stdout with -o - (pipe it to a player)")
    .argument('<mailbox>', 'the mailbox (MAILBOX of voicemail list)')
    .argument('<id>', 'the message (ID of voicemail list)')
    .option('-o, --output <file>', 'where to write it (default voicemail-<mailbox>-<id>.wav; - for stdout)')
    .action(async (mailbox: string, id: string, options: { output?: string }) => {
      const audio = await client().request<Buffer>(
        'GET',
        `/voicemail/${encodeURIComponent(mailbox)}/${encodeURIComponent(id)}/audio`,
        undefined,
        { accept: 'binary', flags: { 'params.mailbox': '<mailbox>', 'params.id': '<id>' } },
      );
      const output = options.output ?? `voicemail-${mailbox}-${id}.wav`;
      if (output === '-') process.stdout.write(audio);
      else {
        await writeFile(output, audio);
        process.stderr.write(`${output}: ${audio.length} bytes\n`);
      }
    });
  voicemail
    .command('heard')
    .description('mark a message heard (Asterisk moves it to Old; the phone light follows)')
    .argument('<mailbox>', 'the mailbox (MAILBOX of voicemail list)')
    .argument('<id>', 'the message (ID of voicemail list)')
    .action(async (mailbox: string, id: string) => {
      const answer = await client().request(
        'POST',
        `/voicemail/${encodeURIComponent(mailbox)}/${encodeURIComponent(id)}/heard`,
      );
      print(answer, () => `${mailbox} ${id}: heard`);
    });
  voicemail
    .command('rm')
    .description('delete a message on the PBX')
    .argument('<mailbox>', 'the mailbox (MAILBOX of voicemail list)')
    .argument('<id>', 'the message (ID of voicemail list)')
    .action(async (mailbox: string, id: string) => {
      await client().request(
        'DELETE',
        `/voicemail/${encodeURIComponent(mailbox)}/${encodeURIComponent(id)}`,
        undefined,
        {
          flags: { 'params.mailbox': '<mailbox>', 'params.id': '<id>' },
        },
      );
      print({ deleted: id }, () => `${mailbox} ${id}: deleted`);
    });
}
