import { z } from 'zod';
import { checkUnique, documentReferences, e164Schema, extensionNumber, soundName } from './model-fields.js';

/**
 * Follow-me for an extension (`extensions[].followMe`): when a plan's `extension` step rings an
 * extension with follow-me on, its desk phone rings `deskSeconds`, then the external numbers ring
 * together through the trunk for `ringSeconds`, each answered leg screened ("press 1 to accept":
 * a mobile's own voicemail answering must not take the call), then the optional `voicemail` box,
 * then the rest of the plan. Each number goes out only if the extension's outbound policy allows
 * it, with the caller ID that policy gives (routing/follow-me.ts decides; docs/follow-me.md).
 * Pure; `model.ts` adds the field to the extension with one line and calls `checkFollowMe`.
 */

/** Upper bound of the screening on an answered leg: Read() plays the prompt twice, 5 s each. */
export const SCREEN_SECONDS = 20;
export const DEFAULT_SCREEN_PROMPT = 'followme/options';

export const followMeSchema = z
  .object({
    /** Off keeps the settings but rings the desk phone only (as a plain extension step). */
    enabled: z.boolean().default(true),
    /** How long the desk phone (the extension's endpoints) rings before the numbers are tried. */
    deskSeconds: z.number().int().min(1, 'a ring of at least 1 s').max(300).default(15),
    /** External numbers (E.164), rung together through the trunk after the desk phone. */
    numbers: z.array(e164Schema).min(1, 'at least one number to follow').max(5),
    /** How long the external numbers ring. */
    ringSeconds: z.number().int().min(1, 'a ring of at least 1 s').max(120).default(20),
    /** Screen each answered external leg: only a 1 pressed there connects the caller. */
    screening: z.boolean().default(true),
    /** What the answered external leg hears (built-in "press 1 to accept…" by default). */
    screenPrompt: soundName.default(DEFAULT_SCREEN_PROMPT),
    /** After the numbers: this mailbox takes the call; absent, the plan's next step does. */
    voicemail: extensionNumber.optional(),
  })
  .strict();
export type FollowMe = z.infer<typeof followMeSchema>;

/** What the follow-me checks read of the document (structural: no import of model.ts). */
interface FollowMeDocument {
  readonly extensions: readonly { readonly number: string; readonly followMe?: FollowMe | undefined }[];
  readonly outbound: { readonly ownedNumbers: readonly string[] };
  readonly routes: readonly { readonly did: string }[];
}

export function checkFollowMe(config: FollowMeDocument, extensions: Set<string>, ctx: z.RefinementCtx): void {
  // Our own numbers would call Switchboard back: a loop, not a person.
  const own = new Set([...config.outbound.ownedNumbers, ...config.routes.map((route) => route.did)]);
  const refs = documentReferences(ctx, [], extensions);
  config.extensions.forEach((extension, index) => {
    const followMe = extension.followMe;
    if (!followMe) return;
    const at = (...path: (string | number)[]) => ['extensions', index, 'followMe', ...path];
    checkUnique(
      ctx,
      followMe.numbers,
      (number) => number,
      (n) => at('numbers', n),
      'listed twice',
    );
    followMe.numbers.forEach((number, n) => {
      if (own.has(number))
        ctx.addIssue({
          code: 'custom',
          path: at('numbers', n),
          message: `${number} is one of Switchboard's own numbers: the call would loop`,
        });
    });
    refs.extension(followMe.voicemail, at('voicemail'));
  });
}

/** Seconds a follow-me can keep a caller waiting before it answers or gives up (for ring-time checks). */
export function followMeSeconds(followMe: FollowMe): number {
  return followMe.deskSeconds + followMe.ringSeconds + (followMe.screening ? SCREEN_SECONDS : 0);
}

type WithFollowMe = { readonly followMe?: FollowMe | undefined };

/** For `planRingTime`: an extension step with follow-me rings as long as its follow-me can. */
export function followMeRing(extensions: ReadonlyMap<string, WithFollowMe>) {
  return (step: { readonly type: string; readonly extension?: string }): number | undefined => {
    const followMe =
      step.type === 'extension' ? activeFollowMe(extensions.get(step.extension ?? '')) : undefined;
    return followMe ? followMeSeconds(followMe) : undefined;
  };
}

/** The follow-me an extension step uses, if any (present and enabled). */
export function activeFollowMe(extension: WithFollowMe | undefined): FollowMe | undefined {
  return extension?.followMe?.enabled ? extension.followMe : undefined;
}
