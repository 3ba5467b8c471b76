import { E164, ENDPOINT, EXTENSION, ID } from '@switchboard/contract';
import type { CountryCode } from 'libphonenumber-js';
import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';

/** Field schemas (and the uniqueness check) both parts of the routing model, inbound and outbound, are built from. */

const countries = new Set<string>(getCountries());
export const countrySchema = z
  .string()
  .refine((value) => countries.has(value), 'must be an ISO 3166 country code such as US')
  .transform((value) => value as CountryCode);

export const idSchema = z.string().regex(ID, 'lowercase letters, digits and -, up to 63');
export const extensionNumber = z.string().regex(EXTENSION, 'extension numbers are 2 to 6 digits');
export const endpointName = z.string().regex(ENDPOINT, 'a PJSIP endpoint name');
export const e164Schema = z.string().regex(E164, 'must be E.164, such as +19863334949');
/** An Asterisk sound file name without extension (built-in, or `custom/…` uploaded): never a path out. */
export const soundName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9/_-]{0,63}$/, 'a sound file name such as custom/closed')
  .refine((name) => !name.includes('//') && !name.endsWith('/'), 'a sound file name such as custom/closed');
export const timeoutSeconds = z.number().int().min(1).max(600);
/** Text that ends up in a channel variable and a caller-ID name: no control or dialplan characters. */
export const safeLabel = (max: number) =>
  z
    .string()
    .regex(
      new RegExp(`^[\\p{L}\\p{N} .:'&/#-]{0,${max}}$`, 'u'),
      `letters, digits, spaces and .:'&/#- only, up to ${max}`,
    );

/**
 * One issue (`message`, at `path(index)`) for every item whose key an earlier item already
 * has: a list keyed by id or number must not name one twice. Returns the keys seen.
 */
export function checkUnique<T>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  keyOf: (item: T) => string,
  path: (index: number) => (string | number)[],
  message: string,
): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: path(index), message });
    seen.add(key);
  });
  return seen;
}

type Path = (string | number)[];

/**
 * The cross-reference checks the document's sections share: a name given in a section must be a
 * route (by id) or an extension (by number) of the same document; one issue at `path` otherwise.
 * Sections (blocklist, recording, follow-me) call these instead of each writing the same loop.
 */
export function documentReferences(
  ctx: z.RefinementCtx,
  routes: readonly { readonly id: string }[],
  extensions: ReadonlySet<string>,
) {
  const routeIds = new Set(routes.map((route) => route.id));
  return {
    route(id: string | undefined, path: Path): void {
      if (id !== undefined && !routeIds.has(id))
        ctx.addIssue({ code: 'custom', path, message: `unknown route ${id}` });
    },
    extension(number: string | undefined, path: Path): void {
      if (number !== undefined && !extensions.has(number))
        ctx.addIssue({ code: 'custom', path, message: `unknown extension ${number}` });
    },
  };
}
