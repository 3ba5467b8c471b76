import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { EXTENSION, VOICEMAIL_FOLDERS, VOICEMAIL_MESSAGE_ID } from '@switchboard/contract';
import { z } from 'zod';

/**
 * app_voicemail's spool as the server reads it (docs/voicemail.md):
 * `<SB_VOICEMAIL_DIR>/<context>/<mailbox>/{INBOX,Old}/msgNNNN.{txt,wav}`. A message is named by
 * its `msg_id` (VOICEMAIL_MESSAGE_ID), never by a path: Asterisk renumbers msgNNNN when one is
 * deleted and moves it to Old when heard. Every path is built here from a mailbox that passed
 * EXTENSION and a file name that came from readdir and matched MESSAGE_FILE, and must stay
 * inside the folder. Moving and deleting are Asterisk's job (AMI VoicemailMove/VoicemailRemove,
 * pbx/voicemail-actions.ts): it locks the folder, renumbers and updates the phone's light.
 */

export type VoicemailFolder = (typeof VOICEMAIL_FOLDERS)[number];

/** The message file names app_voicemail writes (make_file: `msg%04d`). */
const MESSAGE_FILE = /^msg\d{4,6}\.txt$/;

/** The [message] section of a msgNNNN.txt as leave_voicemail() writes it (apps/app_voicemail.c). */
const messageInfoSchema = z.object({
  msg_id: z.string().regex(VOICEMAIL_MESSAGE_ID),
  callerid: z.string().max(256).default('Unknown'),
  origtime: z.coerce.number().int().min(0),
  duration: z.coerce.number().int().min(0).default(0),
  /** VM_CATEGORY: the dialplan puts the call's linkedid here (docs/voicemail.md). */
  category: z.string().max(128).default(''),
  origmailbox: z.string().max(80).default(''),
  flag: z.string().max(40).default(''),
});

export interface VoicemailInfo {
  readonly msgId: string;
  readonly callerNumber: string | undefined;
  readonly callerName: string | undefined;
  /** When the caller started leaving it. */
  readonly at: string;
  readonly durationSeconds: number;
  /** The call's linkedid when the dialplan set VM_CATEGORY to it; else undefined. */
  readonly linkedId: string | undefined;
}

export interface SpoolMessage extends VoicemailInfo {
  readonly context: string;
  readonly mailbox: string;
  readonly folder: VoicemailFolder;
  /** msgNNNN (no extension), valid until Asterisk renumbers the folder. */
  readonly file: string;
}

/** `"Name" <number>`, `<number>`, `number` or `Unknown` (ast_callerid_merge's forms). */
export function parseCallerId(text: string): { number: string | undefined; name: string | undefined } {
  const match = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
  if (match) {
    const name = (match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1').trim();
    return { number: match[3]?.trim() || undefined, name: name || undefined };
  }
  const bare = text.trim();
  return { number: bare && bare !== 'Unknown' ? bare : undefined, name: undefined };
}

/** Parses a msgNNNN.txt; undefined when it is not a complete message file. */
export function parseMessageInfo(text: string): VoicemailInfo | undefined {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const equals = line.indexOf('=');
    if (line.startsWith(';') || line.startsWith('[') || equals <= 0) continue;
    fields[line.slice(0, equals).trim()] = line.slice(equals + 1);
  }
  const parsed = messageInfoSchema.safeParse(fields);
  if (!parsed.success) return undefined;
  const info = parsed.data;
  const caller = parseCallerId(info.callerid);
  return {
    msgId: info.msg_id,
    callerNumber: caller.number,
    callerName: caller.name,
    at: new Date(info.origtime * 1_000).toISOString(),
    durationSeconds: info.duration,
    linkedId: /^[A-Za-z0-9._-]{1,64}$/.test(info.category) ? info.category : undefined,
  };
}

/** The duration of a PCM WAV from its header (byte rate and data chunk), or undefined. */
export function wavSeconds(data: Buffer): number | undefined {
  if (data.length < 12 || data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE')
    return undefined;
  let byteRate: number | undefined;
  for (let offset = 12; offset + 8 <= data.length; ) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 16 <= data.length) byteRate = data.readUInt32LE(offset + 16);
    if (id === 'data') return byteRate ? Math.min(size, data.length - offset - 8) / byteRate : undefined;
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

export class VoicemailSpool {
  private readonly root: string;

  constructor(
    dir: string,
    readonly context: string,
  ) {
    this.root = resolve(dir, context);
  }

  /** A mailbox's folder, or undefined when the name is not a mailbox or leaves the spool. */
  private folderPath(mailbox: string, folder: VoicemailFolder): string | undefined {
    if (!EXTENSION.test(mailbox)) return undefined;
    const path = resolve(this.root, mailbox, folder);
    return path.startsWith(this.root + sep) ? path : undefined;
  }

  /** The mailboxes that have a folder in the spool. */
  async mailboxes(): Promise<string[]> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    return entries.filter((name) => EXTENSION.test(name)).sort();
  }

  /** The messages of one mailbox (new first, then heard; each oldest first). */
  async list(
    mailbox: string,
    folders: readonly VoicemailFolder[] = VOICEMAIL_FOLDERS,
  ): Promise<SpoolMessage[]> {
    const messages: SpoolMessage[] = [];
    for (const folder of folders) {
      const dir = this.folderPath(mailbox, folder);
      if (!dir) continue;
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names.filter((entry) => MESSAGE_FILE.test(entry)).sort()) {
        const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
        const info = text === undefined ? undefined : parseMessageInfo(text);
        if (info)
          messages.push({
            ...info,
            context: this.context,
            mailbox,
            folder,
            file: name.slice(0, -'.txt'.length),
          });
      }
    }
    return messages;
  }

  /** One message by its msg_id, wherever it is now; undefined for an id that is not one. */
  async find(mailbox: string, msgId: string): Promise<SpoolMessage | undefined> {
    if (!VOICEMAIL_MESSAGE_ID.test(msgId)) return undefined;
    return (await this.list(mailbox)).find((message) => message.msgId === msgId);
  }

  /** The message's audio (format=wav: 8 kHz 16-bit PCM), with its size; undefined when gone. */
  async audio(message: SpoolMessage): Promise<{ path: string; bytes: number } | undefined> {
    const dir = this.folderPath(message.mailbox, message.folder);
    if (!dir || !/^msg\d{4,6}$/.test(message.file)) return undefined;
    const path = join(dir, `${message.file}.wav`);
    const facts = await stat(path).catch(() => undefined);
    return facts?.isFile() ? { path, bytes: facts.size } : undefined;
  }

  /** The folder a greeting goes in (unavail.wav, busy.wav): the mailbox's own folder. */
  mailboxDir(mailbox: string): string | undefined {
    if (!EXTENSION.test(mailbox)) return undefined;
    const path = resolve(this.root, mailbox);
    return path.startsWith(this.root + sep) ? path : undefined;
  }
}
