import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** ../shared next to the repository (the team's shared reference data), if present. */
export const SHARED_DIR = path.resolve(__dirname, '../../../shared');
export const BINLOG_FIXTURES_DIR = path.join(SHARED_DIR, 'fixtures', 'binlog');

/**
 * Undefined when the binlog fixtures are there; otherwise the reason to skip, already printed, for
 * `test(name, { skip: binlogFixturesSkipReason() }, ...)`.
 */
export function binlogFixturesSkipReason(): string | undefined {
  if (fs.existsSync(path.join(BINLOG_FIXTURES_DIR, 'SOURCES.md'))) return undefined;
  const reason = `shared binlog fixtures not found at ${BINLOG_FIXTURES_DIR}`;
  console.log(`skipping: ${reason}`);
  return reason;
}

/** A fixture's bytes by its path under fixtures/binlog ('.gz' files are gunzipped). */
export function readBinlogFixture(rel: string): Buffer {
  const b = fs.readFileSync(path.join(BINLOG_FIXTURES_DIR, rel));
  return rel.endsWith('.gz') ? zlib.gunzipSync(b) : b;
}

/** Every fixture file under fixtures/binlog, as paths relative to it. */
export function listBinlogFixtures(): string[] {
  if (!fs.existsSync(BINLOG_FIXTURES_DIR)) return [];
  return (fs.readdirSync(BINLOG_FIXTURES_DIR, { recursive: true }) as string[])
    .map(String)
    .filter((f) => !f.endsWith('.md') && fs.statSync(path.join(BINLOG_FIXTURES_DIR, f)).isFile())
    .sort();
}
