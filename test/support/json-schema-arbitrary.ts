/**
 * fast-check arbitraries built from a JSON Schema (the dialect zod 4 emits for an MCP tool's
 * advertised inputSchema), for fuzzing a tool surface: values that follow the schema, values that
 * break it on purpose (wrong types, out of bounds, hostile strings, missing and extra properties),
 * and a hook for valid-looking values the schema cannot know (known symbols, ids seen earlier).
 *
 * Handles objects (required and optional properties, additionalProperties), strings (enum, const,
 * pattern, minLength, maxLength, date-time), numbers and integers with bounds, booleans, null,
 * arrays (items, prefixItems, minItems, maxItems), anyOf / oneOf / allOf, type lists, local $refs,
 * and decimals: fields typed "a string or a number", or named so by the caller (`decimal`).
 * Not handled: recursive $refs (the arbitraries are built eagerly), `not`, conditionals.
 */
import fc from 'fast-check';

export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * Valid-looking values for a property, by its name (array items are named `name[]`, tuple slots
 * `name[i]`); undefined to let the schema decide.
 */
export type KnownValues = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

export interface SchemaArbitraryOptions {
  readonly known?: KnownValues;
  /**
   * Which fields take a decimal (for its hostile values: "1e400", dust, junk digits); default:
   * those typed "a string or a number". A schema that advertises decimals as plain strings needs
   * the names.
   */
  readonly decimal?: (name: string, schema: JsonSchema) => boolean;
  /** Chance (0..1) that a value below the top level is replaced by a hostile one. */
  readonly hostility: number;
  /** Chance that an optional property is present. */
  readonly optionalRate: number;
  /**
   * At most this many optional properties present on average (the chance per property shrinks for
   * objects with many): an order with every option set at random is refused for their mix, always.
   */
  readonly optionalExpected?: number;
  /** Chance that a required property is left out. */
  readonly missingRate: number;
  /** Chance that an object gains an undeclared property. */
  readonly extraRate: number;
}

/**
 * A value resolved only when the call is made, from state the run has built up so far (order ids
 * seen in earlier results, say) and the call's context (its tool, say): arbitraries are drawn
 * before the calls run.
 */
export class Deferred<C = undefined> {
  constructor(readonly resolve: (context: C) => unknown) {}
}

/** The value with every Deferred inside resolved; own `__proto__` keys stay own data properties. */
export function materialize(value: unknown, context: unknown): unknown {
  if (value instanceof Deferred) return (value as Deferred<unknown>).resolve(context);
  if (Array.isArray(value)) return value.map((v) => materialize(v, context));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v, context)]));
  }
  return value;
}

/** Decimal strings (and numbers) a parser must refuse or survive: exponents, dust, junk, other digits. */
export const HOSTILE_DECIMALS: readonly unknown[] = [
  '1e400',
  '-1e400',
  '1e100000',
  '1e9000000000000001',
  '1e-9000000000000001',
  '0.0000000000000000000001',
  '1e-400',
  '-1',
  '-0',
  '0',
  '0.0',
  '+5',
  '.5',
  '5.',
  ' 7 ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1,5',
  '1.2.3',
  '0x1A',
  '1_000',
  '１２',
  '٣',
  '5\u0000',
  '99999999999999999999999999999999999999999999999999',
  '1'.repeat(1000),
  '',
  ' ',
  '💸',
  0,
  -1,
  -0,
  1e308,
  -1e308,
  5e-324,
  1e21,
  0.30000000000000004,
  2 ** 53 + 2,
];

const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\t\n',
  'null',
  'undefined',
  '<script>alert(1)</script>',
  "'; drop table orders; --",
  '../../etc/passwd',
  '%s%s%n',
  '\u202Eevil',
  '\uD800',
  'ᴬᴬᴾᴸ',
  'ＡＡＰＬ',
  '🚀🚀🚀',
  'a'.repeat(5000),
];

const EXTRA_KEYS: readonly string[] = ['extra', '__proto__', 'constructor', 'toString', '', ' ', '$where'];

const ABSENT = Symbol('absent');

const chance = <A, B>(
  p: number,
  arbitrary: fc.Arbitrary<A>,
  otherwise: fc.Arbitrary<B>,
): fc.Arbitrary<A | B> =>
  fc.oneof<[fc.WeightedArbitrary<A>, fc.WeightedArbitrary<B>]>(
    { arbitrary, weight: Math.round(p * 1000) },
    { arbitrary: otherwise, weight: Math.round((1 - p) * 1000) },
  );

/** Arguments for a tool: always an object at the top when the schema says so (hostility below it). */
export function schemaArbitrary(schema: JsonSchema, options: SchemaArbitraryOptions): fc.Arbitrary<unknown> {
  return new Builder(schema, options).wellFormed(schema, '');
}

/** True for a field that takes a decimal as a JSON string or number (nothing else, unconstrained). */
export function isDecimalSchema(schema: JsonSchema): boolean {
  const branches = [schema, ...arrayOf(schema['anyOf']), ...arrayOf(schema['oneOf'])];
  const types = new Set(branches.flatMap(typesOf));
  const constrained = branches.some((b) => ['enum', 'const', 'format', 'pattern'].some((k) => k in b));
  const numeric = types.has('number') || types.has('integer');
  return types.size === 2 && types.has('string') && numeric && !constrained;
}

function typesOf(schema: unknown): string[] {
  if (!isSchema(schema)) return [];
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

function arrayOf(value: unknown): JsonSchema[] {
  return Array.isArray(value) ? value.filter(isSchema) : [];
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

class Builder {
  constructor(
    private readonly root: JsonSchema,
    private readonly options: SchemaArbitraryOptions,
  ) {}

  /** A value for a field: well formed, or hostile with the configured chance. */
  value(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
    const good = this.wellFormed(schema, name);
    if (this.options.hostility <= 0) return good;
    return chance(this.options.hostility, this.hostile(schema, name), good);
  }

  wellFormed(input: JsonSchema, name: string): fc.Arbitrary<unknown> {
    const schema = this.deref(input);
    const known = name === '' ? undefined : this.options.known?.(name, schema);
    if (known !== undefined) return known;
    if (this.isDecimal(schema, name)) return decimalValue();
    if ('const' in schema) return fc.constant(schema['const']);
    if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
    const branches = [...arrayOf(schema['anyOf']), ...arrayOf(schema['oneOf'])];
    if (branches.length > 0) return fc.oneof(...branches.map((b) => this.wellFormed(b, name)));
    if (Array.isArray(schema['allOf'])) return this.wellFormed(mergeAll(schema), name);
    const types = typesOf(schema);
    if (types.length > 1) return fc.oneof(...types.map((t) => this.ofType({ ...schema, type: t }, t, name)));
    return this.ofType(schema, types[0] ?? inferType(schema), name);
  }

  private ofType(schema: JsonSchema, type: string, name: string): fc.Arbitrary<unknown> {
    switch (type) {
      case 'object':
        return this.object(schema, name);
      case 'array':
        return this.array(schema, name);
      case 'string':
        return stringValue(schema);
      case 'integer':
        return integerValue(schema);
      case 'number':
        return numberValue(schema);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private object(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
    const properties = isSchema(schema['properties']) ? schema['properties'] : {};
    const required = new Set(arrayOfStrings(schema['required']));
    const { missingRate, extraRate } = this.options;
    const optionalRate = this.optionalRate(Object.keys(properties).length - required.size);
    const entries = Object.entries(properties).map(([key, sub]) => {
      const present = required.has(key) ? 1 - missingRate : optionalRate;
      const value = this.value(isSchema(sub) ? sub : {}, key);
      return chance(present, value, fc.constant(ABSENT)).map((v) => [key, v] as const);
    });
    const extra = chance(extraRate, this.extraEntry(schema, name), fc.constant(ABSENT));
    return fc.tuple(fc.tuple(...entries), extra).map(([pairs, added]) => {
      const kept: (readonly [string, unknown])[] = pairs.filter(([, v]) => v !== ABSENT);
      if (added !== ABSENT) kept.push(added);
      return Object.fromEntries(kept);
    });
  }

  private optionalRate(optionalCount: number): number {
    const { optionalRate, optionalExpected } = this.options;
    if (optionalExpected === undefined || optionalCount === 0) return optionalRate;
    return Math.min(optionalRate, optionalExpected / optionalCount);
  }

  private extraEntry(schema: JsonSchema, name: string): fc.Arbitrary<readonly [string, unknown]> {
    const additional = schema['additionalProperties'];
    const value = isSchema(additional)
      ? this.wellFormed(additional, `${name}{}`)
      : fc.jsonValue({ maxDepth: 2 });
    const key = fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 12 }));
    return fc.tuple(key, value);
  }

  private array(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
    const prefix = arrayOf(schema['prefixItems']);
    if (prefix.length > 0) return fc.tuple(...prefix.map((item, i) => this.value(item, `${name}[${i}]`)));
    const items = isSchema(schema['items']) ? schema['items'] : {};
    const minLength = num(schema['minItems']) ?? 0;
    const maxLength = Math.min(num(schema['maxItems']) ?? minLength + 4, minLength + 4);
    return fc.array(this.value(items, `${name}[]`), { minLength, maxLength });
  }

  /** A value that breaks the schema: another type, out of bounds, or hostile content. */
  hostile(input: JsonSchema, name: string): fc.Arbitrary<unknown> {
    const schema = this.deref(input);
    const generic = fc.oneof(
      fc.constantFrom(null, true, false, 0, -1, '', [], {}, { $gt: '' }, [null]),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const specific = this.hostileByType(schema, name);
    return specific === undefined
      ? generic
      : fc.oneof({ arbitrary: specific, weight: 3 }, { arbitrary: generic, weight: 1 });
  }

  private isDecimal(schema: JsonSchema, name: string): boolean {
    return isDecimalSchema(schema) || (this.options.decimal?.(name, schema) ?? false);
  }

  private hostileByType(schema: JsonSchema, name: string): fc.Arbitrary<unknown> | undefined {
    if (this.isDecimal(schema, name)) return fc.constantFrom(...HOSTILE_DECIMALS, ...HOSTILE_STRINGS);
    if (Array.isArray(schema['enum'])) return hostileEnum(schema['enum'] as unknown[]);
    const types = typesOf(schema);
    const type = types[0] ?? inferType(schema);
    if (type === 'string') return hostileString(schema);
    if (type === 'integer' || type === 'number') return hostileNumber(schema, type);
    if (type === 'boolean') return fc.constantFrom('true', 'false', 1, 0, 'yes', null);
    if (type === 'array') return this.hostileArray(schema, name);
    if (type === 'object') return this.hostileObject(schema, name);
    return undefined;
  }

  private hostileArray(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
    const items = isSchema(schema['items']) ? schema['items'] : {};
    const tooMany = (num(schema['maxItems']) ?? 200) + 1;
    return fc.oneof(
      fc.constantFrom([], 'x', {}, [null], [[]]),
      fc.array(this.wellFormed(items, `${name}[]`), { minLength: tooMany, maxLength: tooMany }),
      fc.array(this.hostile(items, `${name}[]`), { minLength: 1, maxLength: 3 }),
    );
  }

  private hostileObject(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
    const { optionalExpected: _expected, ...fields } = this.options;
    const rates = { hostility: 0.5, optionalRate: 0.5, missingRate: 0.5, extraRate: 0.5 };
    const broken = new Builder(this.root, { ...fields, ...rates });
    return fc.oneof(fc.constantFrom([], 'x', 1, {}), broken.object(schema, name));
  }

  private deref(schema: JsonSchema): JsonSchema {
    const ref = schema['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
    let node: unknown = this.root;
    for (const part of ref.slice(2).split('/')) node = isSchema(node) ? node[decodePointer(part)] : undefined;
    return isSchema(node) ? this.deref(node) : {};
  }
}

function decodePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

function arrayOfStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function inferType(schema: JsonSchema): string {
  if ('properties' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema) return 'array';
  if ('pattern' in schema || 'minLength' in schema || 'maxLength' in schema) return 'string';
  if ('minimum' in schema || 'maximum' in schema) return 'number';
  return 'any';
}

/** allOf as one schema: properties and required lists merged, other keywords of the last one winning. */
function mergeAll(schema: JsonSchema): JsonSchema {
  const parts = [{ ...schema, allOf: undefined }, ...arrayOf(schema['allOf'])];
  return parts.reduce<JsonSchema>(
    (merged, part) => ({
      ...merged,
      ...part,
      properties: {
        ...(isSchema(merged['properties']) ? merged['properties'] : {}),
        ...(isSchema(part['properties']) ? part['properties'] : {}),
      },
      required: [...arrayOfStrings(merged['required']), ...arrayOfStrings(part['required'])],
    }),
    {},
  );
}

function decimalValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom('1', '10', '0.5', '0.01', '100', '187.42', 25, 0.1),
    fc.integer({ min: 1, max: 100_000 }).map((n) => (n / 100).toString()),
  );
}

function stringValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const minLength = num(schema['minLength']) ?? 0;
  const maxLength = num(schema['maxLength']) ?? minLength + 24;
  if (schema['format'] === 'date-time') return isoTime();
  const pattern = schema['pattern'];
  if (typeof pattern === 'string') {
    const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
    const fallback = fc.string({
      unit: 'grapheme-ascii',
      minLength,
      maxLength: Math.min(maxLength, minLength + 24),
    });
    try {
      return fc.stringMatching(new RegExp(pattern), { size: 'small' }).filter(fits);
    } catch {
      return fallback;
    }
  }
  return fc.string({ unit: 'grapheme-ascii', minLength, maxLength: Math.min(maxLength, minLength + 24) });
}

function isoTime(): fc.Arbitrary<string> {
  return fc
    .date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2030-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString());
}

interface Bounds {
  readonly min: number;
  readonly max: number;
}

function boundsOf(schema: JsonSchema, integer: boolean): Bounds {
  const step = integer ? 1 : Number.EPSILON;
  const exclusiveMin = num(schema['exclusiveMinimum']);
  const exclusiveMax = num(schema['exclusiveMaximum']);
  const min = num(schema['minimum']) ?? (exclusiveMin === undefined ? -1000 : exclusiveMin + step);
  const max =
    num(schema['maximum']) ?? (exclusiveMax === undefined ? Math.max(min, 0) + 1000 : exclusiveMax - step);
  return { min, max };
}

function integerValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const { min, max } = boundsOf(schema, true);
  const lo = Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER));
  const hi = Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER));
  return fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi));
}

function numberValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const { min, max } = boundsOf(schema, false);
  return fc.oneof(
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(min, max, (min + max) / 2),
  );
}

function hostileString(schema: JsonSchema): fc.Arbitrary<unknown> {
  const maxLength = num(schema['maxLength']);
  const tooLong = maxLength === undefined ? [] : ['x'.repeat(maxLength + 1)];
  return fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS, ...tooLong),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom(42, -1.5, true, ['a'], { a: 1 }),
  );
}

function hostileNumber(schema: JsonSchema, type: string): fc.Arbitrary<unknown> {
  const { min, max } = boundsOf(schema, type === 'integer');
  const outside = [min - 1, max + 1, ...(type === 'integer' ? [min + 0.5] : [])];
  return fc.constantFrom(
    ...outside,
    String(min),
    '',
    1e308,
    -1e308,
    5e-324,
    -0,
    2 ** 53 + 2,
    true,
    null,
    [1],
  );
}

function hostileEnum(values: readonly unknown[]): fc.Arbitrary<unknown> {
  const strings = values.filter((v): v is string => typeof v === 'string');
  const variants = strings.flatMap((v) => [v.toUpperCase(), ` ${v}`, `${v}\u0000`, `${v}s`]);
  return fc.oneof(
    fc.constantFrom(...(variants.length > 0 ? variants : ['?']), '', 'other'),
    fc.constantFrom(1, null, true, values),
  );
}
