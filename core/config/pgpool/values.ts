import type { ParamSpec, ParamUnit } from './catalog';

export type ParamValue = boolean | number | string | string[];
export type ParsedValue = { ok: true; value: ParamValue } | { ok: false; message: string };

const BOOL_WORDS: [string, boolean][] = [
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
  ['on', true],
  ['off', false],
  ['1', true],
  ['0', false],
];

/** pgpool (like PostgreSQL) accepts these words and any unique prefix of them, in any case. */
export function parseBool(text: string): boolean | undefined {
  const v = text.trim().toLowerCase();
  if (!v) return undefined;
  // "o" alone is ambiguous between on and off.
  const hits = BOOL_WORDS.filter(([w]) => w.startsWith(v) && (v.length >= 2 || !'o'.startsWith(v)));
  if (hits.length === 0) return undefined;
  const first = hits[0]![1];
  return hits.every((h) => h[1] === first) ? first : undefined;
}

/** Multipliers to each base unit, for the unit words PostgreSQL's GUC parser knows. */
const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60000, h: 3600000, d: 86400000 };
const MEMORY_UNITS: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const BASE_IN_MS: Partial<Record<ParamUnit, number>> = { ms: 1, s: 1000, min: 60000 };
const BASE_IN_BYTES: Partial<Record<ParamUnit, number>> = { byte: 1, kB: 1024 };

function unitWords(unit: ParamUnit): string {
  return unit in BASE_IN_MS ? 'us, ms, s, min, h, d' : 'B, kB, MB, GB, TB';
}

export function parseInteger(text: string, unit?: ParamUnit): number | string {
  const m = /^\s*([+-]?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?))\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return 'expects a whole number';
  const num = m[1]!.toLowerCase().includes('0x') ? Number.parseInt(m[1]!, 16) : Number(m[1]);
  const word = m[2]!;
  if (!word) {
    if (!Number.isInteger(num)) return 'expects a whole number';
    return num;
  }
  if (!unit) return `takes no unit (found "${word}")`;
  let factor: number | undefined;
  if (unit in BASE_IN_MS) {
    const ms = TIME_UNITS[word];
    if (ms !== undefined) factor = ms / BASE_IN_MS[unit]!;
  } else {
    const bytes = MEMORY_UNITS[word];
    if (bytes !== undefined) factor = bytes / BASE_IN_BYTES[unit]!;
  }
  if (factor === undefined) return `has an unknown unit "${word}" (valid units: ${unitWords(unit)})`;
  return Math.round(num * factor);
}

/** Types a raw value (quotes already removed) by its catalog entry. */
export function parseParamValue(spec: ParamSpec, raw: string): ParsedValue {
  switch (spec.type) {
    case 'bool': {
      const b = parseBool(raw);
      return b === undefined ? { ok: false, message: `expects on or off (also true/false, yes/no, 1/0), not "${raw}"` } : { ok: true, value: b };
    }
    case 'int': {
      const n = parseInteger(raw, spec.unit);
      if (typeof n === 'string') return { ok: false, message: `${n}, not "${raw}"` };
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        return { ok: false, message: `is ${n}, outside the allowed range ${spec.min} to ${spec.max}${spec.unit ? ` (${spec.unit})` : ''}` };
      }
      return { ok: true, value: n };
    }
    case 'real': {
      const t = raw.trim();
      const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
      if (!Number.isFinite(n)) return { ok: false, message: `expects a number, not "${raw}"` };
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        return { ok: false, message: `is ${n}, outside the allowed range ${spec.min} to ${spec.max}` };
      }
      return { ok: true, value: n };
    }
    case 'enum': {
      const hit = spec.values!.find((v) => v.toLowerCase() === raw.trim().toLowerCase());
      return hit === undefined ? { ok: false, message: `expects one of ${spec.values!.join(', ')}, not "${raw}"` } : { ok: true, value: hit };
    }
    case 'list': {
      const items = raw
        .split(spec.separator ?? ',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      return { ok: true, value: items };
    }
    case 'string':
      return { ok: true, value: raw };
  }
}

export function sameValue(a: ParamValue, b: ParamValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}
