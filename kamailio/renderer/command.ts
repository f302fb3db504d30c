// Renders the Kamailio edge from one YAML file; its command line is `sipbridge render`:
//   sipbridge render --config sipbridge.yaml --out /etc/kamailio/sipbridge
//     [--check] [--kamailio /usr/sbin/kamailio]
// Exit codes: 0 rendered (or checked), 1 invalid config or Kamailio refused it, 2 usage error.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CALLER_AUTH_TABLE } from './caller-auth-table';
import { MEDIA_TABLE, mergeMediaTable } from './media-table';
import { checkKamailioConfig } from './check';
import { formatIssue, loadConfigFile } from './load-config';
import { parseLineIds, renderAll, type LineIds } from './files';
import { writeFilesAtomic } from './write-atomic';

const USAGE = `usage: render --config <sipbridge.yaml> --out <dir> [--check] [--kamailio <path>]

  --config    the YAML config (see kamailio/templates/sipbridge.example.yaml)
  --out       directory Kamailio reads: kamailio.cfg, kamailio-local.cfg, kamailio-lines.cfg,
              kamailio-events.cfg, address.list, dispatcher.list, blocked, callerauth (kept when
              present), linemedia (merged: secure stays secure), line-ids.json (created if
              missing)
  --check     validate and run kamailio -c on a scratch copy; write nothing to --out
  --kamailio  the kamailio binary for the check (default /usr/sbin/kamailio)

The output is always checked with kamailio -c before it replaces anything in --out.`;

export const TEMPLATE_PATH = fileURLToPath(new URL('../templates/kamailio.cfg', import.meta.url));

export interface CliResult {
  code: 0 | 1 | 2;
  stdout: string[];
  stderr: string[];
}

/** The CLI as a function, for tests: no process.exit, output collected. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const usage = (message: string): CliResult => ({
    code: 2,
    stdout,
    stderr: [...stderr, message, USAGE],
  });

  let values: { config?: string; out?: string; check?: boolean; kamailio?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        check: { type: 'boolean' },
        kamailio: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usage(`error: ${(error as Error).message}`);
  }
  if (values.help) return { code: 0, stdout: [USAGE], stderr };
  if (!values.config) return usage('error: --config is required');
  if (!values.out && !values.check) return usage('error: --out is required (or --check alone)');
  if (!existsSync(values.config)) return usage(`error: --config ${values.config}: no such file`);
  const outDir = values.out ? resolve(values.out) : undefined;
  if (outDir && !/^\/[A-Za-z0-9._/-]+$/.test(outDir)) {
    return usage(
      `error: --out ${outDir}: use a path of letters, digits, ".", "_", "-" (it goes into the cfg)`,
    );
  }

  const loaded = await loadConfigFile(values.config, env);
  if (!loaded.ok) {
    return {
      code: 1,
      stdout,
      stderr: [
        ...loaded.issues.map(formatIssue),
        `${loaded.issues.length} error(s): nothing written`,
      ],
    };
  }
  let previousIds: LineIds | undefined;
  const idsFile = outDir ? join(outDir, 'line-ids.json') : undefined;
  if (idsFile && existsSync(idsFile)) {
    try {
      previousIds = parseLineIds(await readFile(idsFile, 'utf8'));
    } catch (error) {
      return {
        code: 1,
        stdout,
        stderr: [`${idsFile}: ${(error as Error).message}: nothing written`],
      };
    }
  }
  const template = await readFile(TEMPLATE_PATH, 'utf8');
  const source = basename(values.config);
  const base = { config: loaded.config, token: loaded.token, template, previousIds, source };

  // Check a scratch copy first, so a config Kamailio rejects never replaces a working one.
  const scratch = await mkdtemp(join(tmpdir(), 'sipbridge-render-'));
  let checked: string | null;
  let note: string | undefined;
  try {
    await writeFilesAtomic(scratch, renderAll({ ...base, dir: scratch }).files);
    const check = await checkKamailioConfig(join(scratch, 'kamailio.cfg'), {
      kamailio: values.kamailio,
    });
    if (!check.ok) {
      const hint = /cannot run/.test(check.summary)
        ? '\n(install Kamailio: apt-get install kamailio kamailio-extra-modules kamailio-utils-modules)'
        : /could not find module <tls>/.test(check.summary)
          ? '\n(TLS needs the tls module: apt-get install kamailio-tls-modules)'
          : '';
      return { code: 1, stdout, stderr: [`${check.summary}${hint}`, 'nothing written'] };
    }
    checked = check.version;
    note = check.versionNote;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (values.check || !outDir) {
    stdout.push(
      `${values.config}: valid; kamailio -c: config file ok (Kamailio ${checked ?? 'version unknown'}; nothing written)`,
    );
    if (note) stderr.push(`warning: ${note}`);
    return { code: 0, stdout, stderr };
  }

  const rendered = renderAll({ ...base, dir: outDir });
  const ids = rendered.ids;
  // The agent's caller auth table stays: an empty one would let callers in without the line's
  // credentials until the next sync.
  const kept = await stat(join(outDir, CALLER_AUTH_TABLE)).then(
    () => true,
    () => false,
  );
  // The agent's media table is merged, not replaced: a line it made secure stays secure.
  const keptMedia = await readFile(join(outDir, MEDIA_TABLE), 'utf8').catch(() => undefined);
  const files = rendered.files
    .filter((f) => !(kept && f.name === CALLER_AUTH_TABLE))
    .map((f) =>
      f.name === MEDIA_TABLE && keptMedia !== undefined
        ? { ...f, content: mergeMediaTable(keptMedia, loaded.config.lines) }
        : f,
    );
  await writeFilesAtomic(outDir, files);
  const final = await checkKamailioConfig(join(outDir, 'kamailio.cfg'), {
    kamailio: values.kamailio,
  });
  if (!final.ok) return { code: 1, stdout, stderr: [final.summary] };
  const lineList = loaded.config.lines.map((l) => `${l.slug}=${ids.ids[l.slug]}`).join(', ');
  stdout.push(
    `rendered ${files.length} files into ${outDir} (line ids: ${lineList})`,
    final.summary,
    `run: kamailio -f ${outDir}/kamailio.cfg -DD -E -m ${loaded.config.limits.shared_memory_mb}`,
  );
  if (final.versionNote) stderr.push(`warning: ${final.versionNote}`);
  return { code: 0, stdout, stderr };
}
