import { isDeepStrictEqual } from 'node:util';
import type { RoutingConfig } from './model.js';

export interface CollectionDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

export interface ConfigDiff {
  readonly routes: CollectionDiff;
  readonly schedules: CollectionDiff;
  readonly extensions: CollectionDiff;
  readonly settingsChanged: boolean;
  /** The outbound section: its policies and trunks by id, and whether anything else in it changed. */
  readonly outbound: {
    readonly policies: CollectionDiff;
    readonly trunks: CollectionDiff;
    readonly settingsChanged: boolean;
  };
}

function diffBy<T>(before: readonly T[], after: readonly T[], key: (item: T) => string): CollectionDiff {
  const old = new Map(before.map((item) => [key(item), item]));
  const now = new Map(after.map((item) => [key(item), item]));
  return {
    added: [...now.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !now.has(id)),
    changed: [...now.keys()].filter((id) => old.has(id) && !isDeepStrictEqual(old.get(id), now.get(id))),
  };
}

/** What changed between two versions, by route id, schedule id, extension number, policy and trunk id. */
export function diffConfigs(before: RoutingConfig, after: RoutingConfig): ConfigDiff {
  return {
    routes: diffBy(before.routes, after.routes, (route) => route.id),
    schedules: diffBy(before.schedules, after.schedules, (schedule) => schedule.id),
    extensions: diffBy(before.extensions, after.extensions, (extension) => extension.number),
    settingsChanged: !isDeepStrictEqual(before.settings, after.settings),
    outbound: {
      policies: diffBy(before.outbound.policies, after.outbound.policies, (policy) => policy.id),
      trunks: diffBy(before.outbound.trunks, after.outbound.trunks, (trunk) => trunk.id),
      settingsChanged: !isDeepStrictEqual(
        { ...before.outbound, policies: [], trunks: [] },
        { ...after.outbound, policies: [], trunks: [] },
      ),
    },
  };
}
