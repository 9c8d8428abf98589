/**
 * The initial copy's pure parts (no server needed; kept next to the copy's server tests): text-protocol
 * rows to LOAD DATA lines, the LOAD DATA statement, and which indexes may be built after the data.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addKeysSql, comparableDefinition, deferrableKeys, dropKeysSql } from '../../../core/setup/clone/deferred-keys';
import { loadDataSql } from '../../../core/setup/clone/load-data';
import { planColumn } from '../../../core/setup/clone/rows';
import type { TableInfo } from '../../../core/setup/clone/schema';
import { appendTsvLine, maxLineBytes } from '../../../core/setup/clone/tsv';
import { orderWork, partsFor, rangeBoundaries, rangeItems } from '../../../core/setup/clone/work-plan';

/** A text-protocol row payload: each value length-encoded, NULL as 0xFB. */
function rowPacket(values: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    if (v === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const n = v.length;
    if (n < 0xfb) parts.push(Buffer.from([n]));
    else if (n < 1 << 16) parts.push(Buffer.from([0xfc, n & 0xff, n >> 8]));
    else if (n < 1 << 24) parts.push(Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]));
    else {
      const h = Buffer.alloc(9);
      h[0] = 0xfe;
      h.writeUIntLE(n, 1, 6);
      parts.push(h);
    }
    parts.push(v);
  }
  return Buffer.concat(parts);
}

/** How LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n' reads one line (independent of the encoder). */
function readLine(line: Buffer): (Buffer | null)[] {
  const fields: (Buffer | null)[] = [];
  const cur = Buffer.alloc(line.length);
  let n = 0;
  let isNull = false;
  for (let i = 0; i < line.length; i++) {
    const b = line[i]!;
    if (b === 0x5c) {
      const e = line[++i]!;
      if (e === 0x4e && n === 0 && (line[i + 1] === 0x09 || i + 1 === line.length)) {
        isNull = true;
        continue;
      }
      cur[n++] = e === 0x74 ? 0x09 : e === 0x6e ? 0x0a : e === 0x30 ? 0 : e;
    } else if (b === 0x09) {
      fields.push(isNull ? null : Buffer.from(cur.subarray(0, n)));
      n = 0;
      isNull = false;
    } else {
      if (b === 0x0a) assert.fail('no raw newline inside a line');
      cur[n++] = b;
    }
  }
  fields.push(isNull ? null : Buffer.from(cur.subarray(0, n)));
  return fields;
}

function encode(values: (Buffer | null)[]): Buffer {
  const p = rowPacket(values);
  // Start at an offset inside a larger buffer, as rows arrive inside packets.
  const src = Buffer.concat([Buffer.from('junk'), p, Buffer.from('more')]);
  const out = Buffer.alloc(maxLineBytes(p.length, values.length) + 10, 0xee);
  const end = appendTsvLine(src, 4, 4 + p.length, values.length, out, 3);
  assert.ok(end - 3 <= maxLineBytes(p.length, values.length), 'the size bound holds');
  assert.equal(out[end - 1], 0x0a, 'the line ends with a newline');
  assert.equal(out[end], 0xee, 'nothing written past the line');
  return out.subarray(3, end - 1);
}

const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const rnd = (n: number, seed: number) => {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
};

test('LOAD DATA lines carry every byte value, NULL versus "\\N" versus empty, and every length-prefix size back exactly', () => {
  const cases: (Buffer | null)[][] = [
    // Short plain values take the copy-the-payload path; lengths 9, 10 and 92 are the three special bytes.
    [Buffer.from('1'), Buffer.from('abc'), Buffer.from(''), Buffer.alloc(250, 0x41)],
    [Buffer.alloc(9, 0x61), Buffer.alloc(10, 0x62), Buffer.alloc(92, 0x63), Buffer.from('x')],
    [Buffer.from('1'), Buffer.from('abc'), null, Buffer.from('')],
    [Buffer.from('\\N'), Buffer.from('N'), Buffer.from('\\'), Buffer.from('\t'), Buffer.from('\n'), Buffer.from('\r\n\0\x1a')],
    [every, Buffer.concat([every, every]), null],
    [Buffer.alloc(250, 0x41), Buffer.alloc(251, 0x5c), Buffer.alloc(300, 0x09)],
    // Long values take the native scan-and-copy path: plain, full of one special byte, mixed, random.
    [Buffer.alloc(70_000, 0x7a), Buffer.alloc(5000, 0x0a), Buffer.alloc(5000, 0x5c)],
    [Buffer.concat([Buffer.alloc(4000, 0x61), Buffer.from('\t\\\n'), Buffer.alloc(4000, 0x62), Buffer.from('\n')]), rnd(200_000, 7)],
    [rnd((1 << 24) + 5, 3)],
    [null],
    [Buffer.from('')],
  ];
  for (const values of cases) {
    const line = encode(values);
    assert.deepEqual(readLine(line), values, `values ${values.map((v) => (v === null ? 'NULL' : v.length)).join(',')}`);
  }
});

test('a row packet that does not hold the expected values is refused, not half-copied', () => {
  const p = rowPacket([Buffer.from('abc'), Buffer.from('de')]);
  const out = Buffer.alloc(100);
  assert.throws(() => appendTsvLine(p, 0, p.length, 3, out, 0), RangeError);
  assert.throws(() => appendTsvLine(p, 0, p.length, 1, out, 0), /after its 1 values/);
  assert.throws(() => appendTsvLine(p, 0, p.length - 1, 2, out, 0), /runs past the end/);
  assert.throws(() => appendTsvLine(Buffer.from([0xff]), 0, 1, 1, out, 0), /bad length prefix/);
});

test('the LOAD DATA statement: bytes unconverted, text-only types through a conversion, AUTO_INCREMENT then through SET too', () => {
  const plain = [planColumn('id', 'int'), planColumn('c', 'char'), planColumn('g', 'point')];
  plain[0]!.autoIncrement = true;
  const sql = loadDataSql('d`b', 't', plain);
  assert.equal(sql, "LOAD DATA LOCAL INFILE 'replicadesk-copy' INTO TABLE `d``b`.`t` CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (`id`, `c`, `g`)");
  const withUuid = [planColumn('id', 'bigint'), planColumn('u', 'uuid'), planColumn('j', 'json'), planColumn('x', 'varchar')];
  withUuid[0]!.autoIncrement = true;
  assert.match(loadDataSql('d', 't', withUuid), /\(@v0, @v1, @v2, `x`\) SET `id` = @v0, `u` = CONVERT\(@v1 USING utf8mb4\), `j` = CONVERT\(@v2 USING utf8mb4\)$/);
});

const SBTEST = `CREATE TABLE \`sbtest1\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`k\` int(11) NOT NULL DEFAULT 0,
  \`c\` char(120) NOT NULL DEFAULT '',
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`uc\` (\`c\`),
  KEY \`k_1\` (\`k\`),
  KEY \`odd\`\`name\` (\`c\`(10),\`k\` DESC) COMMENT 'a, comment',
  FULLTEXT KEY \`ft\` (\`c\`),
  CONSTRAINT \`chk\` CHECK (\`k\` >= 0)
) ENGINE=InnoDB AUTO_INCREMENT=300001 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`;

test('plain secondary keys of InnoDB tables are built after the data; unique, FULLTEXT and everything with foreign keys, versioning or partitions stay', () => {
  const k = deferrableKeys(SBTEST)!;
  assert.deepEqual(k.names, ['k_1', 'odd`name']);
  assert.deepEqual(k.definitions, ['KEY `k_1` (`k`)', "KEY `odd``name` (`c`(10),`k` DESC) COMMENT 'a, comment'"]);
  assert.equal(dropKeysSql('s', 'sbtest1', k), 'ALTER TABLE `s`.`sbtest1` DROP KEY `k_1`, DROP KEY `odd``name`');
  assert.equal(addKeysSql('s', 'sbtest1', k), "ALTER TABLE `s`.`sbtest1` ADD KEY `k_1` (`k`), ADD KEY `odd``name` (`c`(10),`k` DESC) COMMENT 'a, comment'");
  assert.equal(deferrableKeys(SBTEST.replace('ENGINE=InnoDB', 'ENGINE=MyISAM')), null);
  assert.equal(deferrableKeys(SBTEST.replace('  CONSTRAINT `chk` CHECK', '  CONSTRAINT `fk` FOREIGN KEY (`k`) REFERENCES `p` (`id`),\n  CONSTRAINT `chk` CHECK')), null);
  assert.equal(deferrableKeys(SBTEST.replace('ENGINE=InnoDB', 'ENGINE=InnoDB WITH SYSTEM VERSIONING')), null);
  assert.equal(deferrableKeys(`${SBTEST}\n PARTITION BY HASH (\`id\`)\nPARTITIONS 4`), null);
  assert.equal(deferrableKeys(SBTEST.replace(/ {2}KEY .*\n/g, '')), null);
  // Keys re-added go after every other non-unique key: only those after the last SPATIAL key may wait.
  const spatial = SBTEST.replace('  KEY `k_1` (`k`),\n', '  KEY `k_1` (`k`),\n  SPATIAL KEY `sp` (`g`),\n');
  assert.deepEqual(deferrableKeys(spatial)!.names, ['odd`name']);
  assert.equal(deferrableKeys(SBTEST.replace("COMMENT 'a, comment',\n", "COMMENT 'a, comment',\n  SPATIAL KEY `sp` (`g`),\n")), null);
  assert.equal(comparableDefinition(SBTEST), comparableDefinition(SBTEST.replace('AUTO_INCREMENT=300001', 'AUTO_INCREMENT=7')));
});

test('big tables with a one-column integer key are cut into key ranges for several streams; AUTO_INCREMENT tables and small ones are not', () => {
  const table = (name: string, mb: number, o: { pk?: boolean; autoInc?: boolean } = {}): TableInfo => {
    const id = planColumn('id', 'bigint');
    if (o.autoInc) id.autoIncrement = true;
    const t: TableInfo = { schema: 'd', name, engine: 'InnoDB', rowsEstimate: mb * 1000, bytesEstimate: mb << 20, columns: [id, planColumn('v', 'varchar')] };
    if (o.pk !== false) t.intPk = 'id';
    return t;
  };
  const big = table('big', 800);
  const policy = { streams: 4, minBytes: 64 << 20 };
  assert.deepEqual([...partsFor([big, table('a', 100), table('b', 100)], policy).values()], [4, 1, 1]);
  assert.deepEqual([...partsFor([table('inc', 800, { autoInc: true })], policy).values()], [1], 'AUTO_INCREMENT: loads would queue on the AUTO-INC lock');
  assert.deepEqual([...partsFor([table('nopk', 800, { pk: false })], policy).values()], [1], 'no one-column integer key');
  assert.deepEqual([...partsFor([table('alone', 800)], policy).values()], [4]);
  assert.equal(partsFor([big], { streams: 1, minBytes: 0 }).get(big), 1, 'one stream: nothing to share');
  assert.equal(partsFor([big, table('c', 700)], { streams: 4, minBytes: 0 }).get(big), 3, 'cut into as many shares as it is big');
  assert.equal(partsFor([table('small', 10)], { streams: 4, minBytes: 64 << 20 }).values().next().value, 1);

  assert.deepEqual(rangeBoundaries(1n, 100n, 4), [26n, 51n, 76n]);
  assert.deepEqual(rangeBoundaries(1n, 2n, 4), [2n], 'never an empty or repeated range');
  assert.deepEqual(rangeBoundaries(5n, 5n, 3), []);
  const lo = -(2n ** 63n);
  const hi = 2n ** 64n - 1n;
  const b = rangeBoundaries(lo, hi, 3);
  assert.equal(b.length, 2);
  assert.ok(lo < b[0]! && b[0]! < b[1]! && b[1]! < hi);
  const items = rangeItems(big, 'id', [26n, 51n, 76n]);
  assert.deepEqual(items.map((w) => w.where), ['`id` < 26', '`id` >= 26 AND `id` < 51', '`id` >= 51 AND `id` < 76', '`id` >= 76']);
  assert.deepEqual(items.map((w) => [w.part, w.parts]), [[1, 4], [2, 4], [3, 4], [4, 4]]);
  const order = orderWork([{ table: table('x', 1), part: 1, parts: 1, bytes: 1 }, ...items]);
  assert.equal(order.at(-1)!.table.name, 'x', 'biggest pieces first');
});
