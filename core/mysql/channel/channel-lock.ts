import fs from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../../errors';

/**
 * One process at a time per channel: a lock file holding the owner's pid, created exclusively. A lock left
 * by a process that no longer exists (killed, crashed) is taken over.
 */
export class ChannelLock {
  private held = false;

  constructor(private readonly file: string) {}

  async acquire(channel: string): Promise<void> {
    if (this.held) return;
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await fs.promises.open(this.file, 'wx', 0o600);
        await fh.writeFile(`${process.pid}\n`);
        await fh.close();
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = Number((await fs.promises.readFile(this.file, 'utf8').catch(() => '')).trim());
      if (owner && owner !== process.pid && alive(owner)) {
        throw new ReplicaDeskError(
          'CHANNEL_LOCKED',
          `Channel ${channel} is already running in another ReplicaDesk process (pid ${owner}). Stop it there (replicadesk channel stop ${channel}) or use that process.`,
          { channel, pid: owner },
        );
      }
      // Stale (owner gone) or ours from an earlier run in this process: remove and retry.
      await fs.promises.rm(this.file, { force: true });
    }
    throw new ReplicaDeskError('CHANNEL_LOCKED', `Could not lock channel ${channel} (${this.file}).`, { channel });
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await fs.promises.rm(this.file, { force: true });
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
