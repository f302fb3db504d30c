// The db_text table Kamailio loads into its `linemedia` htable: one row per line, `rtp` or
// `secure` (docs/secure-media.md). Kamailio refuses calls on a line without a row, so every line
// the ACL admits must have one: the renderer writes the YAML's lines, the agent's sync the
// Worker's (media-sync.ts), both before the ACL that admits them.
import { isLineMedia, type LineMedia } from '@sip-bridge/contract/line-media';
import { isSlug } from '@sip-bridge/contract/identifiers';

export const MEDIA_TABLE = 'linemedia';

/**
 * The `linemedia` db_text table for these lines (a line without `media` is `rtp`).
 * @example renderMediaTable([{ slug: 'demo', media: 'secure' }]) // header line, then 'demo:0:0:secure'
 */
export function renderMediaTable(
  lines: readonly { slug: string; media?: LineMedia | undefined }[],
): string {
  const rows = [...mediaEntries(lines)]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([slug, media]) => `${slug}:0:0:${media}`);
  return ['key_name(str) key_type(int) value_type(int) key_value(str)', ...rows, ''].join('\n');
}

/** slug → media for these lines, checked (a bad slug or value throws, naming no value). */
export function mediaEntries(
  lines: readonly { slug: string; media?: LineMedia | undefined }[],
): Map<string, LineMedia> {
  const out = new Map<string, LineMedia>();
  for (const { slug, media = 'rtp' } of lines) {
    if (!isSlug(slug)) throw new Error('not a line slug');
    if (!isLineMedia(media)) throw new Error(`line ${slug}: media is not rtp or secure`);
    out.set(slug, media);
  }
  return out;
}

/** The rows of a `linemedia` table text (malformed rows are skipped: they never load as secure). */
export function parseMediaTable(text: string): { slug: string; media: LineMedia }[] {
  return text
    .split('\n')
    .slice(1)
    .flatMap((row) => {
      const m = /^([^:\s]+):0:0:(rtp|secure)$/.exec(row.trim());
      return m && isSlug(m[1]!) ? [{ slug: m[1]!, media: m[2] as LineMedia }] : [];
    });
}

/**
 * A render's table, given the one already in the directory (the agent's, maybe newer than the
 * YAML): every row kept, and a line the YAML or the kept table calls secure stays secure, so a
 * re-render never turns a secure line into an rtp one before the agent's next sync.
 */
export function mergeMediaTable(
  kept: string,
  lines: readonly { slug: string; media?: LineMedia | undefined }[],
): string {
  const merged = new Map(parseMediaTable(kept).map((r) => [r.slug, r.media]));
  for (const [slug, media] of mediaEntries(lines)) {
    if (merged.get(slug) !== 'secure') merged.set(slug, media);
  }
  return renderMediaTable([...merged].map(([slug, media]) => ({ slug, media })));
}
