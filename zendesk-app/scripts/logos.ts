import { encodePng } from './png';

const BACKGROUND = [3, 54, 61]; // Zendesk's dark green
const FOREGROUND = [255, 255, 255];

/** Coverage (0-1) of the mark at a point in unit coordinates: a dot and three signal arcs. */
function mark(x: number, y: number): number {
  const dx = x - 0.32;
  const dy = 0.68 - y;
  const r = Math.hypot(dx, dy);
  if (r < 0.09) return 1;
  const inQuadrant = dx > 0.02 && dy > 0.02;
  return inQuadrant && [0.25, 0.4, 0.55].some((arc) => Math.abs(r - arc) < 0.045) ? 1 : 0;
}

/**
 * Draws the app's square logo (no rounded corners, as the Marketplace asks) at a size.
 * @example writeFileSync('logo.png', drawLogo(320))
 */
export function drawLogo(size: number): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  const samples = 4; // 4×4 supersampling for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++)
          covered += mark((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
      const a = covered / samples ** 2;
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++)
        rgba[i + c] = Math.round(BACKGROUND[c]! * (1 - a) + FOREGROUND[c]! * a);
      rgba[i + 3] = 255;
    }
  }
  return encodePng(size, size, rgba);
}
