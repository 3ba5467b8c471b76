import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type InboundTable, inboundTableSchema } from './routing/inbound-table.js';

const DEFAULT_ROUTES_FILE = fileURLToPath(new URL('../sample/routes.json', import.meta.url));

const port = z.coerce.number().int().min(1).max(65_535);
const milliseconds = z.coerce.number().int().min(1).max(600_000);

/** Settings from the environment (see .env.example); a bad value stops start-up with its name. */
export const serverConfigSchema = z.object({
  SB_AGI_HOST: z.string().min(1).default('127.0.0.1'),
  SB_AGI_PORT: port.default(4573),
  SB_AGI_MAX_SESSIONS: z.coerce.number().int().min(1).max(100_000).default(512),
  SB_AGI_COMMAND_TIMEOUT_MS: milliseconds.default(5_000),
  SB_AGI_SESSION_DEADLINE_MS: milliseconds.default(10_000),
  SB_SHUTDOWN_DRAIN_MS: milliseconds.default(10_000),
  SB_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SB_ROUTES_FILE: z.string().min(1).default(DEFAULT_ROUTES_FILE),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = serverConfigSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment: ${describe(parsed.error)}`);
  return parsed.data;
}

export function loadInboundTable(path: string): InboundTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read routes file ${path}: ${(error as Error).message}`);
  }
  const parsed = inboundTableSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`invalid routes file ${path}: ${describe(parsed.error)}`);
  return parsed.data;
}
