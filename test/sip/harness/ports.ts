// Every fixed loopback port block the suites bind, in one place (checked by ports.test.ts).
//
// A block is BLOCK_SIZE ports from its base. The SIP suites lay theirs out as: SIP base (udp and tcp,
// TLS base+1), JSON-RPC base+20, sipp UACs base+30..69, UASs base+70.., the edge agent base+90.
// Each test file owns its blocks: vitest runs files side by side, so two files sharing a block
// collide. A new suite adds a block here. Everything stays below Linux's ephemeral range
// (EPHEMERAL_START): an outgoing connection there could take the port a suite is about to bind.

export const BLOCK_SIZE = 100;
/** net.ipv4.ip_local_port_range starts here by default. */
export const EPHEMERAL_START = 32768;

/** Base port of each suite's block, by the test file (and describe) that owns it. */
export const PORT_BLOCKS = {
  /** test/sip/tls-targets.test.ts */
  tlsTargets: 24700,
  /** test/sip/hostile.test.ts (test/sip/netns/hostile.run.ts, inside its own namespace) */
  hostile: 24800,
  /** test/sip/reconcile.test.ts, lost BYE: in-dialog keepalives */
  keepalive: 24900,
  /** test/sip/jsonrpc-cfg.test.ts (a minimal Kamailio's JSON-RPC on base+20) */
  jsonrpcCfg: 25000,
  /** test/sip/policy.test.ts */
  policy: 25100,
  /** test/sip/decide.test.ts */
  decide: 25200,
  /** test/sip/lifecycle.test.ts */
  lifecycle: 25300,
  /** test/sip/netns.test.ts (test/sip/netns/preloaded-route.run.ts, inside its own namespace) */
  netns: 25400,
  /** test/sip/full-path.test.ts */
  fullPath: 25500,
  /** test/sip/jsonrpc-client.test.ts */
  jsonrpcClient: 25600,
  /** test/sip/acl-sync.test.ts */
  aclSync: 25700,
  /** test/sip/reconcile.test.ts, the agent restarted */
  restart: 25800,
  /** test/sip/cli.test.ts */
  cli: 25900,
  /** test/e2e/npm-start.test.ts: npm start's ports moved here (5060 → 26060, 8787 → 26087 …) */
  npmStart: 26000,
  /** test/sip/handoff-e2e.test.ts */
  handoffE2e: 26100,
  /** test/sip/caller-auth.test.ts */
  callerAuth: 26200,
  /** test/sip/line-routing.test.ts (its two describes run one after the other) */
  lineRouting: 26300,
  /** test/sip/secure-media.test.ts */
  secureMedia: 26400,
  /** test/sip/live-calls.test.ts */
  liveCalls: 26500,
  /** test/sip/routing-rules.test.ts */
  routingRules: 26600,
  /** test/sip/auth-no-ip.test.ts */
  authNoIp: 26700,
} as const;

export type PortBlock = keyof typeof PORT_BLOCKS;

/** Where the suites' blocks may lie. */
export const SUITE_RANGE = { start: 24000, end: 27000 } as const;

/**
 * sipp's RTP echo port (-mp) for a sipp bound on `sipPort`: sipp binds -mp and -mp+2, eight apart
 * per SIP port, so distinct SIP ports of the suite range get disjoint media ports (30000..53992).
 * These lie partly in the ephemeral range. Moving them below it (4 or 8 apart from 12000, 3 apart
 * from 27000, 8 apart from 40000) made hostile.test.ts lose the "ended" event of the calls the
 * edge ends for their media (Kamailio 5.6 logs "inconsistent dlg timer data" on their BYEs) in 13
 * of 17 runs, against 0 of 9 with these; until that is understood they stay as they were.
 */
export function sippMediaPort(sipPort: number): number {
  return 30000 + (sipPort % 4000) * 8;
}

export const MEDIA_RANGE = {
  start: sippMediaPort(SUITE_RANGE.start),
  end: 30000 + 4000 * 8,
} as const;

/**
 * Fixed ports outside the test suites, kept clear of the blocks above: `npm run bench:sip`
 * (BENCH_SIP_PORT_BASE, scripts/bench-sip.mjs: SIP, RPC and agent at base+60..92, sipp media at
 * base+100 and base+200) and npm start's defaults.
 */
export const OTHER_PORTS = {
  benchSip: { start: 29000, end: 29300 },
  npmStartDefaults: [5060, 5070, 5080, 5173, 8090, 8787, 8788],
} as const;
