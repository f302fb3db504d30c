import { describe, expect, it } from 'vitest';
import { formatIssue, parseConfigText } from './load-config';

const env = { EDGE_AGENT_TOKEN: 'test-token-0123456789' };

/** A valid config; tests replace single lines to break one thing at a time. */
const VALID = `listen:
  - transport: udp
    address: 127.0.0.1
    port: 5060
agent:
  url: http://127.0.0.1:8090
  token_env: EDGE_AGENT_TOKEN
lines:
  - slug: demo
    targets:
      - sip:zendesk@127.0.0.1:5070
    acl:
      - 127.0.0.1/32
  - slug: carrier
    targets:
      - sip:line@zendesk.example.com
    acl:
      - 192.0.2.0/24
      - 2001:db8::/32
`;

function errors(text: string, vars: NodeJS.ProcessEnv = env): string[] {
  const result = parseConfigText(text, 'sipbridge.yaml', vars);
  if (result.ok) throw new Error('expected validation errors');
  return result.issues.map(formatIssue);
}

const replace = (from: string, to: string) => {
  if (!VALID.includes(from)) throw new Error(`fixture has no ${from}`);
  return VALID.replace(from, to);
};

describe('loading sipbridge.yaml', () => {
  it('accepts a valid file and fills in defaults', () => {
    const result = parseConfigText(VALID, 'sipbridge.yaml', env);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.token).toBe(env.EDGE_AGENT_TOKEN);
    expect(result.config.rpc).toEqual({ address: '127.0.0.1', port: 5080 });
    expect(result.config.limits.cps_per_line).toBe(5);
    expect(result.config.lines[1]!.max_cps).toBe(0);
  });

  it('names file, line, column and field for a CIDR with host bits set', () => {
    expect(errors(replace('      - 192.0.2.0/24', '      - 10.0.0.1/8'))).toEqual([
      'sipbridge.yaml:18:9: lines[1].acl[0]: "10.0.0.1/8": host bits are set; the network is 10.0.0.0/8',
    ]);
  });

  it('refuses an address that is not IP', () => {
    expect(errors(replace('      - 2001:db8::/32', '      - example.com/24'))).toEqual([
      'sipbridge.yaml:19:9: lines[1].acl[1]: "example.com/24": the address is not an IPv4 or IPv6 address',
    ]);
  });

  it('refuses an ACL entry wider than /8 or /32 unless the line confirms it', () => {
    const wide = replace(
      '      - 192.0.2.0/24\n      - 2001:db8::/32',
      '      - 0.0.0.0/0\n      - 2001::/16',
    );
    expect(errors(wide)).toEqual([
      'sipbridge.yaml:18:9: lines[1].acl[0]: "0.0.0.0/0" is wider than /8: it admits a large part of the Internet; set acl_confirm_wide: true on the line if you mean it',
      'sipbridge.yaml:19:9: lines[1].acl[1]: "2001::/16" is wider than /32: it admits a large part of the Internet; set acl_confirm_wide: true on the line if you mean it',
    ]);
    const confirmed = wide.replace(
      '  - slug: carrier\n',
      '  - slug: carrier\n    acl_confirm_wide: true\n',
    );
    expect(parseConfigText(confirmed, 'sipbridge.yaml', env).ok).toBe(true);
    // /8 itself needs no confirmation.
    expect(parseConfigText(replace('192.0.2.0/24', '10.0.0.0/8'), 'sipbridge.yaml', env).ok).toBe(
      true,
    );
  });

  it('refuses a duplicate line slug', () => {
    expect(errors(replace('  - slug: carrier', '  - slug: demo'))).toEqual([
      'sipbridge.yaml:14:11: lines[1].slug: "demo" is already used by lines[0]',
    ]);
  });

  it('refuses the same network twice in a line, whatever its spelling', () => {
    expect(
      errors(replace('      - 2001:db8::/32', '      - 2001:db8::/32\n      - 2001:DB8:0::/32')),
    ).toEqual([
      'sipbridge.yaml:20:9: lines[1].acl[2]: "2001:DB8:0::/32" is the same network as lines[1].acl[1]',
    ]);
  });

  it('refuses a target that is not a SIP URI', () => {
    expect(
      errors(
        replace('      - sip:line@zendesk.example.com', '      - https://zendesk.example.com'),
      ),
    ).toEqual([
      'sipbridge.yaml:16:9: lines[1].targets[0]: "https://zendesk.example.com": not a SIP URI (expected sip:user@host[:port][;params] or sips:...)',
    ]);
  });

  it('refuses a sips: target without a tls section', () => {
    expect(
      errors(replace('sip:line@zendesk.example.com', 'sips:line@zendesk.example.com')),
    ).toEqual([
      'sipbridge.yaml:16:9: lines[1].targets[0]: "sips:line@zendesk.example.com" needs TLS: add a tls section (certificate and private_key)',
    ]);
  });

  it('refuses a ;transport=tls target without a tls section', () => {
    expect(
      errors(replace('sip:line@zendesk.example.com', 'sip:line@zendesk.example.com;transport=tls')),
    ).toEqual([
      'sipbridge.yaml:16:9: lines[1].targets[0]: "sip:line@zendesk.example.com;transport=tls" needs TLS: add a tls section (certificate and private_key)',
    ]);
  });

  it('refuses a secure line whose targets are not TLS, or with no TLS listen address', () => {
    expect(
      errors(replace('  - slug: carrier\n', '  - slug: carrier\n    media: secure\n')),
    ).toEqual([
      'sipbridge.yaml:15:12: lines[1].media: secure needs a tls listen address: its callers must reach the edge over TLS',
      'sipbridge.yaml:17:9: lines[1].targets[0]: "sip:line@zendesk.example.com" is not reached over TLS: a secure line needs sips: or ;transport=tls targets',
    ]);
  });

  it('takes rtp as the default media, and refuses any other value', () => {
    const result = parseConfigText(VALID, 'sipbridge.yaml', env);
    expect(result.ok && result.config.lines.map((l) => l.media)).toEqual(['rtp', 'rtp']);
    expect(errors(replace('  - slug: carrier\n', '  - slug: carrier\n    media: srtp\n'))).toEqual([
      expect.stringMatching(/^sipbridge\.yaml:15:12: lines\[1\]\.media: /),
    ]);
  });

  it('refuses unknown keys, pointing at the key', () => {
    expect(
      errors(replace('  token_env: EDGE_AGENT_TOKEN', '  token_env: EDGE_AGENT_TOKEN\n  tokn: x')),
    ).toEqual([
      'sipbridge.yaml:8:3: agent.tokn: unknown key (check the spelling against sipbridge.example.yaml)',
    ]);
  });

  it('refuses keepalives more often than Kamailio 5.6 allows (30 s), and takes 0 as off', () => {
    const withKeepalive = (seconds: number) => `${VALID}limits:\n  keepalive_seconds: ${seconds}\n`;
    expect(errors(withKeepalive(10))).toEqual([
      'sipbridge.yaml:21:22: limits.keepalive_seconds: must be 0 (off) or at least 30 (Kamailio 5.6 minimum)',
    ]);
    for (const seconds of [0, 30, 600]) {
      const result = parseConfigText(withKeepalive(seconds), 'sipbridge.yaml', env);
      expect(result.ok && result.config.limits.keepalive_seconds).toBe(seconds);
    }
  });

  it('refuses bad ports', () => {
    expect(errors(replace('    port: 5060', '    port: 70000'))).toEqual([
      'sipbridge.yaml:4:11: listen[0].port: must be a port, 1-65535',
    ]);
    expect(errors(replace('    port: 5060', '    port: "5060"'))).toEqual([
      'sipbridge.yaml:4:11: listen[0].port: must be a number',
    ]);
  });

  it('refuses an unknown transport and a listen address that is a name', () => {
    expect(
      errors(
        replace(
          '  - transport: udp\n    address: 127.0.0.1',
          '  - transport: sctp\n    address: localhost',
        ),
      ),
    ).toEqual([
      'sipbridge.yaml:2:16: listen[0].transport: must be one of "udp", "tcp", "tls"',
      'sipbridge.yaml:3:14: listen[0].address: must be an IPv4 or IPv6 address (no brackets, no name)',
    ]);
  });

  it('reports a missing required key on its parent', () => {
    expect(errors(replace('  url: http://127.0.0.1:8090\n', ''))).toEqual([
      'sipbridge.yaml:6:3: agent.url: is required',
    ]);
  });

  it('refuses an agent that is not on loopback', () => {
    expect(errors(replace('http://127.0.0.1:8090', 'http://10.0.0.5:8090'))).toEqual([
      'sipbridge.yaml:6:8: agent.url: must be http://<loopback IP>:<port> with no path (the agent runs beside Kamailio)',
    ]);
  });

  it('names the environment variable when the token is missing', () => {
    expect(errors(VALID, {})).toEqual([
      'sipbridge.yaml:7:14: agent.token_env: environment variable EDGE_AGENT_TOKEN is not set',
    ]);
  });

  it('refuses a token that could break the cfg string or the header', () => {
    expect(errors(VALID, { EDGE_AGENT_TOKEN: 'short!' })).toEqual([
      'sipbridge.yaml:7:14: agent.token_env: the token must be 16-512 characters of A-Z a-z 0-9 . _ ~ + / = -',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(errors(replace('agent:', 'agent:\n  url: http://127.0.0.1:1'))[0]).toMatch(
      /^sipbridge\.yaml:7:3: Map keys must be unique/,
    );
    expect(errors('listen: [\n')[0]).toMatch(/^sipbridge\.yaml:\d+:\d+: /);
  });

  it('refuses an RPC port that SIP also listens on', () => {
    const text = replace('  - transport: udp', '  - transport: tcp').replace(
      '    port: 5060',
      '    port: 5080',
    );
    expect(errors(text)).toEqual([
      'sipbridge.yaml:1:1: rpc.port: 5080 is also a SIP tcp/tls listen port on 127.0.0.1',
    ]);
  });
});
