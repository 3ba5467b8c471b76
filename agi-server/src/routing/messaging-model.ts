import { z } from 'zod';
import { checkUnique, e164Schema, extensionNumber } from './model-fields.js';

/**
 * The messaging part of the routing model (issue 17): which extensions a DID's texts go to and
 * which owned numbers can send SMS. `model.ts` composes it into the whole document; a DID not
 * listed here texts the extensions of its route's open plan (see routing/message-router.ts).
 */

export const messageTargetSchema = z
  .object({
    /** The Twilio number texts arrive on, E.164. */
    did: e164Schema,
    /** The extensions whose phones all get the text. */
    extensions: z.array(extensionNumber).min(1).max(32),
  })
  .strict();
export type MessageTarget = z.infer<typeof messageTargetSchema>;

export const messagingSchema = z
  .object({
    /**
     * Owned numbers with Twilio's SMS capability: the only senders of outbound texts. A number
     * missing here (a voice-only or verified number) is never asked to send one (Twilio 21606).
     */
    smsNumbers: z.array(e164Schema).default([]),
    targets: z.array(messageTargetSchema).default([]),
    /** A text for an extension with no registered phone also goes to its `mobile` number. */
    forwardToMobile: z.boolean().default(true),
  })
  .strict();
export type MessagingConfig = z.infer<typeof messagingSchema>;

/** What the messaging checks read of the whole document (structural: no import of model.ts). */
interface MessagingDocument {
  readonly messaging: MessagingConfig;
  readonly outbound: { readonly ownedNumbers: readonly string[] };
}

export function checkMessaging(
  config: MessagingDocument,
  extensions: Set<string>,
  ctx: z.RefinementCtx,
): void {
  const owned = new Set(config.outbound.ownedNumbers);
  config.messaging.smsNumbers.forEach((number, index) => {
    if (!owned.has(number))
      ctx.addIssue({
        code: 'custom',
        path: ['messaging', 'smsNumbers', index],
        message: 'must be one of outbound.ownedNumbers',
      });
  });
  checkUnique(
    ctx,
    config.messaging.targets,
    (target) => target.did,
    (index) => ['messaging', 'targets', index, 'did'],
    'duplicate did',
  );
  config.messaging.targets.forEach((target, index) => {
    target.extensions.forEach((number, position) => {
      if (!extensions.has(number))
        ctx.addIssue({
          code: 'custom',
          path: ['messaging', 'targets', index, 'extensions', position],
          message: `unknown extension ${number}`,
        });
    });
  });
}
