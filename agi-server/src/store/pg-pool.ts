import pg from 'pg';
import type { Logger } from 'pino';
import { StoreUnavailableError } from './types.js';

/**
 * One connection pool per server process. Short connect and query timeouts: when PostgreSQL is
 * away, an admin request or a call-log batch should fail within seconds (and be retried), not
 * hang; the AGI path does not wait on the database at all.
 */
export function createPgPool(connectionString: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 2_000,
    query_timeout: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'switchboard',
  });
  // An idle client whose server went away emits here; without a listener the process would exit.
  pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost (idle client)'));
  return pool;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * True for errors that mean "the database is not there right now" rather than "this statement is
 * wrong": network errors, the driver's timeouts and lost connections, SQLSTATE class 08
 * (connection exception) and 57P01-57P03 (server shutting down or starting up).
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNREACHABLE_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable/.test(
    error.message,
  );
}

/** Runs a store operation, turning "database not reachable" into StoreUnavailableError. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error))
      throw new StoreUnavailableError(`PostgreSQL unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    throw error;
  }
}

/** BEGIN … COMMIT on one pooled client; ROLLBACK on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = isUnavailable(error);
    if (!broken) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A client whose connection failed must not go back into the pool.
    client.release(broken);
  }
}
