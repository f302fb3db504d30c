// `/__standin/*`: the same control tests have in code, over HTTP for scripts (no auth).
import { Router, error, json } from 'itty-router';
import type { ZendeskStandin } from '../app';
import { faultsProblem, type Faults } from '../faults';

export const CONTROL_BASE = '/__standin';

/**
 * @example
 * curl -X POST localhost:8788/__standin/faults -d '{"rateLimit":{"count":2,"retryAfter":1}}'
 */
export function createControlRouter(standin: ZendeskStandin) {
  return Router({
    base: CONTROL_BASE,
    catch: (e: unknown) => error(500, `stand-in control failed: ${String(e)}`),
  })
    .get('/faults', () => json({ faults: standin.faults }))
    .post('/faults', async (request: Request) => {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return error(400, 'body must be JSON faults, e.g. {"serverError":{"count":1}}');
      }
      const problem = faultsProblem(body);
      if (problem) return error(400, problem);
      standin.setFaults(body as Faults);
      return json({ faults: standin.faults });
    })
    .post('/reset', () => {
      standin.reset();
      return json({ ok: true });
    })
    .get('/requests', () => json({ requests: standin.requests, count: standin.requests.length }))
    .delete('/requests', () => {
      standin.clearRequests();
      return json({ ok: true });
    })
    .get('/state', () => json(standin.state.snapshot()))
    .all('*', () =>
      error(404, 'unknown control endpoint: faults, reset, requests, state (see README.md)'),
    );
}
