import type { FastifyError, FastifyInstance } from 'fastify';
import { normalizeJson, TooDeepError } from '../../domain/text.ts';

/** Fastify's client-side failures, in words a person (or a platform's dashboard) can read. */
const CLIENT_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'too_large', message: 'Request body too large' },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    error: 'bad_json',
    message: 'Request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    error: 'bad_json',
    message: 'Request body is empty but content-type is application/json',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    error: 'unsupported_media_type',
    message: 'Unsupported content type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'bad_request', message: 'Wrong content-length' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, error: 'bad_request', message: 'Bad content-type header' },
};

/**
 * Bad input never reaches a handler as it came, and never gets a 500:
 * - every string of a JSON body and of the query string is normalised (NUL, controls, lone surrogates, bidi
 *   overrides — see domain/text.ts) before validation, so nothing PostgreSQL refuses gets near it;
 * - JSON nested deeper than any body of ours is refused with 400 before anything walks it;
 * - fastify's own client errors (bad JSON, body too large, unknown content type) answer 4xx with a clear
 *   message; only real server faults are 500, logged without the body.
 */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    try {
      if (request.body !== undefined && request.body !== null) request.body = normalizeJson(request.body);
      if (request.query && typeof request.query === 'object') request.query = normalizeJson(request.query);
    } catch (error) {
      if (!(error instanceof TooDeepError)) throw error;
      return reply.code(400).send({ error: 'bad_request', message: error.message });
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
    if (known) return reply.code(known.status).send({ error: known.error, message: known.message });
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({
      error: status >= 500 ? 'internal' : 'bad_request',
      message: status >= 500 ? 'Internal error, please try again' : error.message,
    });
  });
}
