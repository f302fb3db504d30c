import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

interface FileToWrite {
  name: string;
  content: string;
  mode: number;
}

/**
 * Writes each file to a temporary name in the same directory, flushes it, then renames it over
 * the old one: Kamailio (or a reload) sees either the old file or the new one, never half of one.
 * All temporary files are written before the first rename, so a failure leaves the old set whole.
 * @example await writeFilesAtomic('/etc/kamailio/sipbridge', [{ name: 'address.list', content, mode: 0o644 }])
 */
export async function writeFilesAtomic(dir: string, files: readonly FileToWrite[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged: { tmp: string; final: string }[] = [];
  try {
    for (const file of files) {
      const tmp = join(dir, `.${file.name}${suffix}`);
      staged.push({ tmp, final: join(dir, file.name) });
      const handle = await open(tmp, 'wx', file.mode);
      try {
        await handle.writeFile(file.content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(tmp, file.mode); // the umask may have narrowed the mode given to open()
    }
    for (const { tmp, final } of staged) await rename(tmp, final);
  } catch (error) {
    await Promise.all(staged.map(({ tmp }) => rm(tmp, { force: true })));
    throw error;
  }
  const handle = await open(dir, 'r');
  try {
    await handle.sync(); // make the renames durable
  } finally {
    await handle.close();
  }
}
