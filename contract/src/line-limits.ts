// The bounds of a line's numeric settings, shared by the Worker's admin API schemas and the admin
// console's form (no zod here, so the console checks the same rules without the schema library).

/** Bounds of a line's routing timers (ms) and its concurrent calls (docs/admins.md, "Routing and limits"). */
export const ROUTING_LIMITS = {
  no_ringback_ms: { min: 100, max: 60_000, default: 5_000 },
  no_answer_ms: { min: 1_000, max: 3_600_000, default: 300_000 },
  max_concurrent_calls: { min: 0, max: 100_000, default: 0 },
} as const;

/** How the edge orders a line's targets per call. */
export const ROUTING_MODES = ['sequential', 'round_robin'] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

/** Bounds of a line's other limits: calls per second, and Zendesk creations per minute. */
export const LINE_LIMITS = {
  max_cps: { min: 0, max: 10_000, default: 0 },
  max_creations_per_minute: { min: 0, max: 10_000, default: 30 },
} as const;

/**
 * True when `value` is an integer within `bounds`.
 * @example withinLimits(5000, ROUTING_LIMITS.no_ringback_ms) // true
 */
export function withinLimits(value: number, bounds: { min: number; max: number }): boolean {
  return Number.isInteger(value) && value >= bounds.min && value <= bounds.max;
}
