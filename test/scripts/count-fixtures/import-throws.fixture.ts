import { it } from 'vitest';

// What the CI guards do when Kamailio or Chromium is missing: throw while the file loads.
function requireKamailio(): void {
  throw new Error('Kamailio is not installed (fixture)');
}
requireKamailio();

it('never runs', () => {});
