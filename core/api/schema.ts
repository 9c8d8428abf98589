import { ReplicaDeskError } from '../errors';

/**
 * Just enough runtime checking for API parameters: requests come from a browser or IPC and are untrusted,
 * so each method declares the shape it accepts and anything else is refused with API_BAD_PARAMS.
 */
export type Check<T> = (value: unknown, where: string) => T;

function bad(where: string, expected: string): never {
  throw new ReplicaDeskError('API_BAD_PARAMS', `${where}: expected ${expected}`, { where });
}

export const str =
  (opts: { max?: number; pattern?: RegExp } = {}): Check<string> =>
  (v, where) => {
    if (typeof v !== 'string') bad(where, 'a string');
    if (opts.max !== undefined && v.length > opts.max) bad(where, `at most ${opts.max} characters`);
    if (opts.pattern && !opts.pattern.test(v)) bad(where, `a value matching ${opts.pattern}`);
    return v;
  };

export const int =
  (opts: { min?: number; max?: number } = {}): Check<number> =>
  (v, where) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(where, 'an integer');
    if (opts.min !== undefined && v < opts.min) bad(where, `an integer ≥ ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) bad(where, `an integer ≤ ${opts.max}`);
    return v;
  };

export const bool: Check<boolean> = (v, where) => (typeof v === 'boolean' ? v : bad(where, 'true or false'));

export const oneOf =
  <T extends string>(...values: T[]): Check<T> =>
  (v, where) =>
    typeof v === 'string' && (values as string[]).includes(v) ? (v as T) : bad(where, `one of ${values.join(', ')}`);

export const optional =
  <T>(check: Check<T>): Check<T | undefined> & { optional: true } =>
    Object.assign((v: unknown, where: string) => (v === undefined ? undefined : check(v, where)), { optional: true as const });

type Shape = Record<string, Check<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S as S[K] extends { optional: true } ? never : K]: ReturnType<S[K]> } & {
  [K in keyof S as S[K] extends { optional: true } ? K : never]?: Exclude<ReturnType<S[K]>, undefined>;
};

/** An object with exactly these keys; unknown keys are refused so typos do not pass silently. */
export const obj =
  <S extends Shape>(shape: S): Check<FromShape<S>> =>
  (v, where) => {
    if (v === undefined || v === null) v = {};
    if (typeof v !== 'object' || Array.isArray(v)) bad(where, 'an object');
    const input = v as Record<string, unknown>;
    for (const key of Object.keys(input)) if (!(key in shape)) bad(`${where}.${key}`, 'no such parameter');
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const value = check(input[key], `${where}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out as FromShape<S>;
  };

export const arr =
  <T>(check: Check<T>, opts: { max?: number } = {}): Check<T[]> =>
  (v, where) => {
    if (!Array.isArray(v)) bad(where, 'a list');
    if (opts.max !== undefined && v.length > opts.max) bad(where, `at most ${opts.max} items`);
    return v.map((item, i) => check(item, `${where}[${i}]`));
  };

export const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (v, where) =>
    v === null ? null : check(v, where);

/** One of several object shapes, chosen by the value of `key` (e.g. op: 'set' | 'add' | 'remove'). */
export const tagged =
  <T>(key: string, shapes: Record<string, Check<unknown>>): Check<T> =>
  (v, where) => {
    const tag = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
    if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(shapes, tag)) bad(`${where}.${key}`, `one of ${Object.keys(shapes).join(', ')}`);
    return shapes[tag]!(v, where) as T;
  };

/** A literal value, for tags inside `tagged` shapes. */
export const lit =
  <T extends string>(value: T): Check<T> =>
  (v, where) =>
    v === value ? value : bad(where, JSON.stringify(value));

/** A MySQL/MariaDB server address and account, as the wizards send it. */
export const mysqlEndpoint = obj({
  host: str({ max: 255, pattern: /^[A-Za-z0-9._:\-[\]%]+$/ }),
  port: int({ min: 1, max: 65535 }),
  user: str({ max: 80 }),
  password: str({ max: 1024 }),
});
