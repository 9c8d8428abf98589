import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ReplicaDeskError } from '../../errors';
import type { MyCnfPlan } from './edit';
import type { MyCnfTree } from './tree';

export interface WrittenFile {
  file: string;
  /** The file really written when `file` is a symlink (Debian's /etc/mysql/my.cnf is one, via alternatives). */
  realFile: string;
  /** Copy of the previous content; ends in ".bak" so an !includedir (which reads *.cnf) never picks it up. */
  backup?: string;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Replaces a file so that a crash leaves either the old or the new content, never a mix: write a temp file
 * beside it, fsync, rename over, fsync the folder. Keeps mode and owner. With `expected`, refuses when the
 * file changed on disk since it was read (someone else edited it meanwhile).
 */
export async function writeFileAtomic(file: string, data: Uint8Array, opts: { expected?: Uint8Array; backup?: boolean; now?: Date } = {}): Promise<WrittenFile> {
  let realFile = path.resolve(file);
  try {
    realFile = await fsp.realpath(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let st: fs.Stats | undefined;
  try {
    st = await fsp.stat(realFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (opts.expected) {
    const now = st ? await fsp.readFile(realFile) : undefined;
    if (!now || !Buffer.from(opts.expected).equals(now)) {
      throw new ReplicaDeskError('MYCNF_CHANGED_ON_DISK', `${file} was changed by someone else since it was read. Nothing was written; read it again and redo the edit.`, { file });
    }
  }
  const dir = path.dirname(realFile);
  const base = path.basename(realFile);
  let backup: string | undefined;
  if (st && opts.backup !== false) {
    backup = path.join(dir, `${base}.replicadesk-${stamp(opts.now ?? new Date())}.bak`);
    await fsp.copyFile(realFile, backup, fs.constants.COPYFILE_EXCL).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      backup = `${backup!.slice(0, -4)}-${randomBytes(3).toString('hex')}.bak`;
      await fsp.copyFile(realFile, backup, fs.constants.COPYFILE_EXCL);
    });
  }
  const tmp = path.join(dir, `.${base}.replicadesk-${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fsp.open(tmp, 'wx', st ? st.mode & 0o7777 : 0o644);
  try {
    await fh.writeFile(data);
    if (st) {
      await fh.chmod(st.mode & 0o7777);
      if (process.getuid?.() === 0) await fh.chown(st.uid, st.gid).catch(() => undefined);
    }
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fsp.rename(tmp, realFile);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  // The rename is durable only once the folder entry is on disk (not possible on Windows; harmless there).
  const dh = await fsp.open(dir, 'r').catch(() => undefined);
  await dh?.sync().catch(() => undefined);
  await dh?.close();
  return backup ? { file, realFile, backup } : { file, realFile };
}

/** Writes every file a plan changes (each atomically, each with a backup). */
export async function applyPlan(tree: MyCnfTree, plan: MyCnfPlan, opts: { backup?: boolean; now?: Date } = {}): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  for (const c of plan.changes) {
    const f = tree.file(c.file);
    if (!f) throw new ReplicaDeskError('MYCNF_NO_SUCH_FILE', `${c.file} is not part of this option file tree.`, { file: c.file });
    const after = plan.result.file(c.file)!.doc.toBytes();
    try {
      out.push(await writeFileAtomic(c.file, after, { expected: f.original, ...opts }));
    } catch (err) {
      if (err instanceof ReplicaDeskError) throw err;
      const e = err as NodeJS.ErrnoException;
      const hint = e.code === 'EACCES' || e.code === 'EPERM' ? ' Run ReplicaDesk as an administrator, or make the change by hand from the preview.' : '';
      throw new ReplicaDeskError('MYCNF_WRITE_FAILED', `Could not write ${c.file}: ${e.message}.${hint}${out.length ? ` Already written: ${out.map((w) => w.file).join(', ')}.` : ''}`, { file: c.file, written: out.map((w) => w.file) });
    }
  }
  return out;
}
