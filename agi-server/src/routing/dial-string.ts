import { z } from 'zod';

/**
 * A Dial() target list we are willing to hand to the dialplan. Anything from the network or the
 * store passes through this before it becomes SB_DIAL: only known technologies and a resource of
 * letters, digits and `+ . _ - @`, joined by `&`. No commas, parentheses, `$` or braces, so a
 * value can never smuggle Dial options or dialplan expressions.
 */
const TARGET = /^(PJSIP|Local)\/[A-Za-z0-9+._-]{1,64}(@[A-Za-z0-9._-]{1,64})?$/;

export const dialStringSchema = z
  .string()
  .max(512)
  .refine((value) => value.split('&').every((target) => TARGET.test(target)), {
    message: 'must be TECH/resource targets (PJSIP or Local) joined by &',
  })
  .brand<'DialString'>();

export type DialString = z.infer<typeof dialStringSchema>;
