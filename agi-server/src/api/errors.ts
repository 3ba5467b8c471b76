import { describeIssues } from '@switchboard/contract';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConfigValidationError, NotFoundError } from '../config-service/routing-service.js';
import { StoreUnavailableError, VersionConflictError } from '../store/types.js';

/** Input that passed its schema but means nothing (e.g. a "number" no parser accepts). */
export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
  constructor(readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>) {
    super(describeIssues(issues));
  }
}

/**
 * A feature that needs a setting the server was started without: its value, or a 400 naming the
 * variable and what to set it to.
 */
export function requireSetting<T>(value: T | undefined, variable: string, whatToSet: string): T {
  if (value === undefined || value === null || value === '')
    throw new InvalidRequestError([{ path: variable, message: whatToSet }]);
  return value;
}

/** Every error as JSON with a status a client can act on; bad input names the paths at fault. */
export function handleApiError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    return reply.code(400).send({
      error: 'invalid request',
      issues: error.validation.map((issue) => ({
        path: `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`,
        message: issue.message,
      })),
    });
  }
  if (error instanceof ConfigValidationError) {
    return reply.code(400).send({
      error: 'invalid configuration',
      issues: error.issues,
    });
  }
  if (error instanceof InvalidRequestError)
    return reply.code(400).send({ error: 'invalid request', issues: error.issues });
  if (error instanceof NotFoundError) return reply.code(404).send({ error: error.message });
  if (error instanceof VersionConflictError) return reply.code(409).send({ error: error.message });
  if (error instanceof StoreUnavailableError) {
    // Routing keeps serving from the last snapshot; only reads and writes of the store wait.
    request.log.warn({ err: error }, 'admin API: store unavailable');
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({ error: `store unavailable: ${error.message}` });
  }
  if (error.statusCode && error.statusCode < 500)
    return reply.code(error.statusCode).send({ error: error.message });
  request.log.error({ err: error }, 'admin API error');
  return reply.code(500).send({ error: 'internal error' });
}
