/**
 * Collation ids (as TABLE_MAP optional metadata and QUERY status variables carry them) → character set,
 * and how we turn that charset's bytes into a JS string without losing anything.
 *
 * Only charsets whose round trip bytes → JS string → server is exact get decoded to strings (`text`);
 * every other charset stays raw bytes (a Buffer), which the applier binds as binary and the server stores
 * byte for byte. Ids are those of MariaDB 10.11 and MySQL 8.x/9.x.
 */

export type CharsetDecoding = 'utf8' | 'latin1' | 'ucs2' | 'utf16' | 'utf16le' | 'utf32' | 'binary' | 'raw';

export interface CharsetInfo {
  name: string;
  /** Longest character in bytes (CHAR(n) reserves n × this). */
  mbMaxLen: number;
  decoding: CharsetDecoding;
}

const CHARSETS: Record<string, CharsetInfo> = {};
function cs(name: string, mbMaxLen: number, decoding: CharsetDecoding): CharsetInfo {
  return (CHARSETS[name] = { name, mbMaxLen, decoding });
}
const BINARY = cs('binary', 1, 'binary');
const UTF8MB3 = cs('utf8mb3', 3, 'utf8');
const UTF8MB4 = cs('utf8mb4', 4, 'utf8');
const UCS2 = cs('ucs2', 2, 'ucs2');
const UTF16 = cs('utf16', 4, 'utf16');
const UTF32 = cs('utf32', 4, 'utf32');
cs('ascii', 1, 'utf8');
cs('latin1', 1, 'latin1');
cs('utf16le', 4, 'utf16le');
for (const [name, len] of [
  ['big5', 2], ['dec8', 1], ['cp850', 1], ['hp8', 1], ['koi8r', 1], ['latin2', 1], ['swe7', 1], ['ujis', 3], ['sjis', 2],
  ['hebrew', 1], ['tis620', 1], ['euckr', 2], ['koi8u', 1], ['gb2312', 2], ['greek', 1], ['cp1250', 1], ['gbk', 2],
  ['latin5', 1], ['armscii8', 1], ['cp866', 1], ['keybcs2', 1], ['macce', 1], ['macroman', 1], ['cp852', 1], ['latin7', 1],
  ['cp1251', 1], ['cp1256', 1], ['cp1257', 1], ['geostd8', 1], ['cp932', 2], ['eucjpms', 3], ['gb18030', 4],
] as [string, number][]) {
  cs(name, len, 'raw');
}

/** Collation ids per charset (MariaDB 10.11's information_schema.COLLATIONS plus MySQL 8's additions). */
const IDS: Record<string, (number | [number, number])[]> = {
  armscii8: [32, 64, 1056, 1088],
  ascii: [11, 65, 1035, 1089],
  big5: [1, 84, 1025, 1108],
  binary: [63],
  cp1250: [26, 34, 44, 66, 99, 1050, 1090],
  cp1251: [14, 23, 50, 51, 52, 1074, 1075],
  cp1256: [57, 67, 1081, 1091],
  cp1257: [29, 58, 59, 1082, 1083],
  cp850: [4, 80, 1028, 1104],
  cp852: [40, 81, 1064, 1105],
  cp866: [36, 68, 1060, 1092],
  cp932: [95, 96, 1119, 1120],
  dec8: [3, 69, 1027, 1093],
  eucjpms: [97, 98, 1121, 1122],
  euckr: [19, 85, 1043, 1109],
  gb18030: [248, 249, 250],
  gb2312: [24, 86, 1048, 1110],
  gbk: [28, 87, 1052, 1111],
  geostd8: [92, 93, 1116, 1117],
  greek: [25, 70, 1049, 1094],
  hebrew: [16, 71, 1040, 1095],
  hp8: [6, 72, 1030, 1096],
  keybcs2: [37, 73, 1061, 1097],
  koi8r: [7, 74, 1031, 1098],
  koi8u: [22, 75, 1046, 1099],
  latin1: [5, 8, 15, 31, 47, 48, 49, 94, 1032, 1071],
  latin2: [2, 9, 21, 27, 77, 1033, 1101],
  latin5: [30, 78, 1054, 1102],
  latin7: [20, 41, 42, 79, 1065, 1103],
  macce: [38, 43, 1062, 1067],
  macroman: [39, 53, 1063, 1077],
  sjis: [13, 88, 1037, 1112],
  swe7: [10, 82, 1034, 1106],
  tis620: [18, 89, 1042, 1113],
  ucs2: [35, 90, [128, 151], 159, 640, 641, 642, 1059, 1114, 1152, 1174, [2560, 2815]],
  ujis: [12, 91, 1036, 1115],
  utf16: [54, 55, [101, 124], 672, 673, 674, 1078, 1079, 1125, 1147, [2816, 3071]],
  utf16le: [56, 62, 1080, 1086],
  utf32: [60, 61, [160, 183], 736, 737, 738, 1084, 1085, 1184, 1206, [3072, 3327]],
  // 76: MySQL 8's utf8mb3_tolower_ci.
  utf8mb3: [33, 76, 83, [192, 215], 223, 576, 577, 578, 1057, 1107, 1216, 1238, [2048, 2303]],
  // 255-323: MySQL 8's utf8mb4_0900_* family; 2304-2559: MariaDB's UCA 14.0 collations.
  utf8mb4: [45, 46, [224, 247], [255, 323], 608, 609, 610, 1069, 1070, 1248, 1270, [2304, 2559]],
};

const BY_ID = new Map<number, CharsetInfo>();
for (const [name, ids] of Object.entries(IDS)) {
  const info = CHARSETS[name]!;
  for (const id of ids) {
    if (typeof id === 'number') BY_ID.set(id, info);
    else for (let i = id[0]; i <= id[1]; i++) BY_ID.set(i, info);
  }
}

/** The character set of a collation id, or undefined for ids we do not know. */
export function charsetOfCollation(id: number): CharsetInfo | undefined {
  return BY_ID.get(id);
}

export function charsetByName(name: string): CharsetInfo | undefined {
  return CHARSETS[name.toLowerCase() === 'utf8' ? 'utf8mb3' : name.toLowerCase()];
}

export { BINARY as BINARY_CHARSET, UTF8MB3, UTF8MB4, UCS2, UTF16, UTF32 };

/*
 * MySQL's "latin1" is Windows-1252 with the five positions cp1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90,
 * 0x9d) mapped to the C1 controls of the same value. Node's 'latin1' is ISO-8859-1, which would turn
 * 0x80 (€) into U+0080 and the server would store '?' when the value goes back: so 0x80–0x9f need a table.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

type FastBuffer = Buffer & { latin1Slice(s: number, e: number): string; utf8Slice(s: number, e: number): string; ucs2Slice(s: number, e: number): string };

export function decodeLatin1(buf: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80 && c < 0xa0) {
      let s = (buf as FastBuffer).latin1Slice(start, i);
      for (let j = i; j < end; j++) {
        const d = buf[j]!;
        s += String.fromCharCode(d >= 0x80 && d < 0xa0 ? CP1252_HIGH[d - 0x80]! : d);
      }
      return s;
    }
  }
  return (buf as FastBuffer).latin1Slice(start, end);
}

/** Big-endian UTF-16 (MySQL ucs2 and utf16) to a JS string. */
export function decodeUtf16be(buf: Buffer, start: number, end: number): string {
  const len = (end - start) & ~1;
  const tmp = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i += 2) {
    tmp[i] = buf[start + i + 1]!;
    tmp[i + 1] = buf[start + i]!;
  }
  return tmp.toString('utf16le');
}

export function decodeUtf32be(buf: Buffer, start: number, end: number): string {
  let s = '';
  for (let i = start; i + 4 <= end; i += 4) {
    const cp = buf.readUInt32BE(i);
    s += String.fromCodePoint(cp > 0x10ffff ? 0xfffd : cp);
  }
  return s;
}

/** Text of `buf[start, end)` in a charset whose decoding is not 'binary' or 'raw'. */
export function decodeText(decoding: CharsetDecoding, buf: Buffer, start: number, end: number): string {
  switch (decoding) {
    case 'utf8':
      return (buf as FastBuffer).utf8Slice(start, end);
    case 'latin1':
      return decodeLatin1(buf, start, end);
    case 'utf16le':
      return (buf as FastBuffer).ucs2Slice(start, end - ((end - start) & 1));
    case 'ucs2':
    case 'utf16':
      return decodeUtf16be(buf, start, end);
    case 'utf32':
      return decodeUtf32be(buf, start, end);
    default:
      return (buf as FastBuffer).latin1Slice(start, end);
  }
}
