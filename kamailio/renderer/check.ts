import { spawn } from 'node:child_process';

interface CheckResult {
  ok: boolean;
  /** Kamailio's own words: the error lines when it failed, the verdict line when it passed. */
  summary: string;
  /** Everything kamailio -c printed. */
  output: string;
  /** The version `kamailio -v` reports ("5.6.3"), or null when it says none. */
  version: string | null;
  /** Set when that version is not one the template is tested on. */
  versionNote?: string;
}

/** The Kamailio releases the template runs on in the deployment tests: Debian 12's and 13's. */
export const TESTED_KAMAILIO = [
  { series: '5.6', where: 'Debian 12' },
  { series: '6.0', where: 'Debian 13' },
] as const;

/**
 * Says when `version` is outside the tested series; undefined when it is one of them.
 * @example versionNote('7.1.0') // 'Kamailio 7.1.0: the template is tested on 5.6 (Debian 12) and 6.0 (Debian 13) only'
 */
export function versionNote(version: string | null): string | undefined {
  if (version && TESTED_KAMAILIO.some((t) => version.startsWith(`${t.series}.`))) return undefined;
  const tested = TESTED_KAMAILIO.map((t) => `${t.series} (${t.where})`).join(' and ');
  return `Kamailio ${version ?? '(version unknown)'}: the template is tested on ${tested} only`;
}

/**
 * Runs `kamailio -c -f <cfg>` (parse and fix-up only; some errors show only at start, which the
 * SIP tests cover). Passes only when the exit code is 0 and Kamailio says "config file ok".
 * @example const r = await checkKamailioConfig('/etc/kamailio/kamailio.cfg'); if (!r.ok) console.error(r.summary)
 */
export async function checkKamailioConfig(
  cfgPath: string,
  options: { kamailio?: string; timeoutMs?: number } = {},
): Promise<CheckResult> {
  const bin = options.kamailio ?? '/usr/sbin/kamailio';
  const { code, output } = await run(bin, ['-c', '-f', cfgPath], options.timeoutMs ?? 30_000);
  const about = await run(bin, ['-v'], 5000);
  const version = /version: kamailio (\d+\.\d+\.\d+)/.exec(about.output)?.[1] ?? null;
  const ok = code === 0 && /config file ok/.test(output);
  const errors = output
    .split('\n')
    .filter((l) => /ERROR|CRITICAL|error/.test(l))
    .map((l) => l.replace(/^\s*\d+\(\d+\)\s*/, '').trim());
  const summary = ok
    ? `kamailio -c: config file ok (${cfgPath}; Kamailio ${version ?? 'version unknown'})`
    : `kamailio -c failed (exit ${code}) for ${cfgPath}:\n${(errors.length ? errors : [output.trim()]).join('\n')}`;
  return { ok, summary, output, version, versionNote: versionNote(version) };
}

function run(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: `cannot run ${bin}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}
