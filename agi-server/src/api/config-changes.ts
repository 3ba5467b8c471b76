import { z } from 'zod';
import { type ChangeAuthor, NotFoundError, type RoutingService } from '../config-service/routing-service.js';
import type { RoutingConfig } from '../routing/model.js';

/** What every admin route that changes the routing document shares. */

/** `changed: false`: the change left the document as it was, so no version was made. */
export const versionResponse = z.object({ version: z.number(), summary: z.string(), changed: z.boolean() });

/** Replaces the item `same` finds, or appends it. */
export function upsert<T>(list: readonly T[], item: T, same: (candidate: T) => boolean): T[] {
  const index = list.findIndex(same);
  return index === -1 ? [...list, item] : list.map((candidate, i) => (i === index ? item : candidate));
}

export function removeFrom<T>(list: readonly T[], same: (candidate: T) => boolean, what: string): T[] {
  if (!list.some(same)) throw new NotFoundError(`no ${what}`);
  return list.filter((candidate) => !same(candidate));
}

export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NotFoundError(`no ${what}`);
  return value;
}

/** Applies a change as a new version by `author` (name and token); answers the version and its summary. */
export async function applyChange(
  routing: RoutingService,
  author: ChangeAuthor,
  summary: string,
  mutate: (config: RoutingConfig) => RoutingConfig,
): Promise<z.infer<typeof versionResponse>> {
  const stored = await routing.change(mutate, { ...author, summary });
  return stored.changed
    ? { version: stored.version, summary: stored.summary, changed: true }
    : {
        version: stored.version,
        summary: `no change: version ${stored.version} stays current`,
        changed: false,
      };
}
