import type { TestProject } from 'vitest/node';
import { type PgCluster, startPgCluster } from '../../agi-server/bench/pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the shared test cluster's maintenance database. */
    pgUrl: string;
  }
}

/** One private PostgreSQL cluster for the whole `pg` project; each test makes its own database. */
let cluster: PgCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url());
}

export async function teardown(): Promise<void> {
  await cluster?.destroy();
}
