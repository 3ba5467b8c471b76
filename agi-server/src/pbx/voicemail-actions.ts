import { EXTENSION, VOICEMAIL_MESSAGE_ID } from '@switchboard/contract';
import type { AmiClient } from './ami-client.js';

/**
 * Voicemail changes made by Asterisk itself, over AMI (docs/voicemail.md): `VoicemailMove`
 * (INBOX → Old: heard) and `VoicemailRemove` (delete), app_voicemail's manager actions since
 * 18.20/20.5 (apps/app_voicemail.c manager_voicemail_move/remove). app_voicemail locks the folder,
 * renumbers the files that follow and sends the new message-waiting state (notify_new_state), so
 * the phone's light follows; a file moved behind its back would need `VoicemailRefresh` and could
 * race a caller leaving a message. Both are registered with EVENT_FLAG_USER: the manager user needs
 * `write=user`. They answer `Response: Success` even when nothing was done, with `Message: Message
 * move failed` / `Message remove failed`: the message text is what tells.
 */

export class VoicemailActionError extends Error {
  override name = 'VoicemailActionError';
}

export interface VoicemailPbx {
  move(context: string, mailbox: string, folder: string, msgId: string, toFolder: string): Promise<void>;
  remove(context: string, mailbox: string, folder: string, msgId: string): Promise<void>;
}

const FOLDER = /^(INBOX|Old)$/;
const CONTEXT = /^[A-Za-z0-9_-]{1,40}$/;

function check(context: string, mailbox: string, folder: string, msgId: string): void {
  if (
    !CONTEXT.test(context) ||
    !EXTENSION.test(mailbox) ||
    !FOLDER.test(folder) ||
    !VOICEMAIL_MESSAGE_ID.test(msgId)
  )
    throw new VoicemailActionError('not a voicemail message');
}

export function amiVoicemail(ami: Pick<AmiClient, 'action'>): VoicemailPbx {
  return {
    async move(context, mailbox, folder, msgId, toFolder) {
      check(context, mailbox, folder, msgId);
      if (!FOLDER.test(toFolder)) throw new VoicemailActionError('not a voicemail folder');
      const answer = await ami.action({
        Action: 'VoicemailMove',
        Context: context,
        Mailbox: mailbox,
        Folder: folder,
        ID: msgId,
        ToFolder: toFolder,
      });
      if (answer.Response !== 'Success' || !/successful/i.test(answer.Message ?? ''))
        throw new VoicemailActionError(`VoicemailMove: ${answer.Message ?? answer.Response ?? 'no answer'}`);
    },
    async remove(context, mailbox, folder, msgId) {
      check(context, mailbox, folder, msgId);
      const answer = await ami.action({
        Action: 'VoicemailRemove',
        Context: context,
        Mailbox: mailbox,
        Folder: folder,
        ID: msgId,
      });
      if (answer.Response !== 'Success' || !/successful/i.test(answer.Message ?? ''))
        throw new VoicemailActionError(
          `VoicemailRemove: ${answer.Message ?? answer.Response ?? 'no answer'}`,
        );
    },
  };
}
