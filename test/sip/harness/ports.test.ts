import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BLOCK_SIZE,
  EPHEMERAL_START,
  MEDIA_RANGE,
  OTHER_PORTS,
  PORT_BLOCKS,
  SUITE_RANGE,
  sippMediaPort,
} from './ports';

const ROOT = new URL('../../..', import.meta.url).pathname;
type Range = { name: string; start: number; end: number };
const blocks: Range[] = Object.entries(PORT_BLOCKS).map(([name, base]) => ({
  name,
  start: base,
  end: base + BLOCK_SIZE,
}));
const overlap = (a: Range, b: Range) => a.start < b.end && b.start < a.end;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return /\.(ts|mjs)$/.test(e.name) ? [path] : [];
  });
}

describe('port blocks', () => {
  it('no two suites share a block, and no block overlaps another', () => {
    const bases = Object.values(PORT_BLOCKS);
    expect(new Set(bases).size).toBe(bases.length);
    for (const a of blocks)
      for (const b of blocks) if (a !== b) expect(overlap(a, b), `${a.name}/${b.name}`).toBe(false);
  });

  it('every block is aligned on 100, inside the suites range, below the ephemeral range', () => {
    for (const b of blocks) {
      expect(b.start % BLOCK_SIZE, b.name).toBe(0);
      expect(b.start, b.name).toBeGreaterThanOrEqual(SUITE_RANGE.start);
      expect(b.end, b.name).toBeLessThanOrEqual(SUITE_RANGE.end);
    }
    expect(SUITE_RANGE.end).toBeLessThanOrEqual(EPHEMERAL_START);
  });

  it("sipp's media ports stay clear of the blocks, the bench and npm start's defaults", () => {
    const media = { name: 'media', start: 30000, end: MEDIA_RANGE.end };
    expect(overlap(media, { name: 'suites', ...SUITE_RANGE })).toBe(false);
    expect(overlap(media, { name: 'bench', ...OTHER_PORTS.benchSip })).toBe(false);
    for (const p of OTHER_PORTS.npmStartDefaults)
      expect(overlap(media, { name: String(p), start: p, end: p + 1 }), String(p)).toBe(false);
  });

  it('gives every SIP port of the suites range its own media ports (sipp binds -mp and -mp+2)', () => {
    const taken = new Set<number>();
    for (let port = SUITE_RANGE.start; port < SUITE_RANGE.end; port++) {
      for (const p of [sippMediaPort(port), sippMediaPort(port) + 2]) {
        expect(taken.has(p), `${port} → ${p}`).toBe(false);
        taken.add(p);
      }
    }
    expect(sippMediaPort(25230)).toBe(39840);
  });

  it('the bench and npm start defaults stay clear of the suites', () => {
    expect(overlap({ name: 'bench', ...OTHER_PORTS.benchSip }, { name: 's', ...SUITE_RANGE })).toBe(
      false,
    );
    expect(OTHER_PORTS.benchSip.end).toBeLessThanOrEqual(EPHEMERAL_START);
    for (const p of OTHER_PORTS.npmStartDefaults) expect(p).toBeLessThan(SUITE_RANGE.start);
  });

  it('every suite takes its ports from here: no other source names a port in the suites range', () => {
    const self = new URL('./ports.ts', import.meta.url).pathname;
    const offenders = [join(ROOT, 'test'), join(ROOT, 'kamailio')]
      .flatMap(sources)
      .filter((f) => f !== self && f !== new URL(import.meta.url).pathname)
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/\b(2[4-6]\d{3})\b/g)]
          .filter((m) => Number(m[1]) >= SUITE_RANGE.start && Number(m[1]) < SUITE_RANGE.end)
          .map((m) => `${relative(ROOT, f)}: ${m[1]}`),
      );
    expect(offenders).toEqual([]);
  });
});
