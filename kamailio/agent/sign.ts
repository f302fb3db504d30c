import { createHash, createHmac } from 'node:crypto';
import { edgeSigningParts, type EdgeRequest } from '@sip-bridge/contract/edge-signature';

/**
 * The edge signature v2 (@sip-bridge/contract/edge-signing-input) computed with node:crypto: the
 * same bytes as signEdgeRequest(), without WebCrypto's async job per request, which was a tenth
 * of the agent's CPU per call. The URL is the one the request goes to: its host (lower-case, port
 * only when not the default, as Node's Host header carries it) and path with query are signed.
 * @example const headers = signEdgeRequestNode(secret, { method: 'POST', url: `${WORKER_URL}/v1/edge/events`, body });
 */
export function signEdgeRequestNode(secret: string, req: EdgeRequest): Record<string, string> {
  const { input, headers } = edgeSigningParts(
    req,
    createHash('sha256').update(req.body).digest('hex'),
  );
  return headers(createHmac('sha256', secret).update(input).digest('hex'));
}
