import type { Extension, Route, RoutingConfig, Schedule } from './model.js';

/**
 * One version of the routing configuration, indexed for the call path: a DID lookup is one Map
 * get. Built once per version and swapped whole, so a call never sees half a change.
 */
export interface RoutingSnapshot {
  readonly version: number;
  readonly config: RoutingConfig;
  /** Routes per DID, most specific caller match first: exact, longest prefix, then none. */
  readonly routesByDid: ReadonlyMap<string, readonly Route[]>;
  readonly routesById: ReadonlyMap<string, Route>;
  readonly extensions: ReadonlyMap<string, Extension>;
  /** PJSIP endpoint name -> extension number, to name who answered. */
  readonly extensionByEndpoint: ReadonlyMap<string, string>;
  readonly schedules: ReadonlyMap<string, Schedule>;
}

function specificity(route: Route): number {
  if (!route.caller) return 0;
  if ('exact' in route.caller) return 1_000;
  return route.caller.prefix.replace('+', '').length;
}

export function endpointsOf(extension: Extension): readonly string[] {
  return extension.endpoints ?? [extension.number];
}

export function buildSnapshot(config: RoutingConfig, version: number): RoutingSnapshot {
  const routesByDid = new Map<string, Route[]>();
  for (const route of config.routes) {
    const list = routesByDid.get(route.did) ?? [];
    list.push(route);
    routesByDid.set(route.did, list);
  }
  for (const list of routesByDid.values()) list.sort((a, b) => specificity(b) - specificity(a));
  const extensionByEndpoint = new Map<string, string>();
  for (const extension of config.extensions) {
    for (const endpoint of endpointsOf(extension)) extensionByEndpoint.set(endpoint, extension.number);
  }
  return {
    version,
    config,
    routesByDid,
    routesById: new Map(config.routes.map((route) => [route.id, route])),
    extensions: new Map(config.extensions.map((extension) => [extension.number, extension])),
    extensionByEndpoint,
    schedules: new Map(config.schedules.map((schedule) => [schedule.id, schedule])),
  };
}

/** The time zone a route's times read in: its schedule's, or undefined without a schedule. */
export function timeZoneOfRoute(snapshot: RoutingSnapshot, routeId: string | undefined): string | undefined {
  const route = routeId === undefined ? undefined : snapshot.routesById.get(routeId);
  return route?.schedule ? snapshot.schedules.get(route.schedule)?.timeZone : undefined;
}
