// The router every group of routes is built on (createRouter) and the context it types: the
// Worker's bindings and what the auth middleware sets for a request.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AgentIdentity } from './auth/agent-access';
import type { AppClaims } from './auth/app-jwt';
import type { EdgeNonce } from './auth/edge-signature';
import type { Env } from './env';
import type { HandoffCaller } from './handoffs/api-key-auth';
import { apiError, fieldIssues } from './http/problem';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    appClaims: AppClaims;
    agent: AgentIdentity;
    edgeNonce: EdgeNonce;
    handoffCaller: HandoffCaller;
  };
};

/** A router whose invalid bodies and queries answer 400 with a field path for each issue. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return apiError(
          c,
          400,
          'invalid_request',
          'The request is invalid; see issues.',
          fieldIssues(result.error.issues),
        );
      }
    },
  });
}
