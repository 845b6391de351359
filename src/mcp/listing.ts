/**
 * What tools/list shows of a tool: its schemas in JSON Schema, made portable and small. The
 * schemas the server validates with stay the full zod ones; the listing may only be looser:
 * - decimals (accepted as string or number) are shown as strings, the form the instructions ask
 *   for; a `type` array is not portable (single-type dialects reject it);
 * - `items: false` (closed tuples) becomes `{ "not": {} }`, the object form every dialect reads;
 * - a date-time string keeps its format without zod's 400-character pattern;
 * - zod's integer bounds of ±(2^53 - 1) are dropped (every JSON integer a client sends is checked
 *   by the server anyway); bounds a field sets itself stay;
 * - output schemas drop `required` and `additionalProperties: false` (the server validates its
 *   results against the full schema before sending them); an Order is shown in full only in
 *   executeOrder's output schema: elsewhere, inside a list or as a whole result, it is "an Order"
 *   (with the fields a result adds to it, such as getOrder's fills and events); and a part that an
 *   output schema repeats (the limits of each level) is listed once under `$defs` and referenced.
 */
import type { z } from 'zod';
import type { ToolDefinition } from './tool-kit.js';
import { wireOrderSchema } from './wire.js';

type Json = Record<string, unknown>;
const TARGET = { target: 'draft-2020-12' as const };

export interface ListedTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Json & { type: 'object' };
  readonly outputSchema: Json & { type: 'object' };
  readonly annotations: ToolDefinition['annotations'];
}

const cache = new Map<string, readonly ListedTool[]>();

/** The listing of a set of tools, built once per set (it is the same for every call). */
export function listing(tools: readonly ToolDefinition[]): readonly ListedTool[] {
  const key = tools.map((t) => t.name).join(',');
  let entries = cache.get(key);
  if (entries === undefined) {
    entries = tools.map(listed);
    cache.set(key, entries);
  }
  return entries;
}

/** The tool whose output schema shows an Order in full; the others refer to it. */
const ORDER_SHOWN_BY = 'executeOrder';

function listed(tool: ToolDefinition): ListedTool {
  const input = portable(jsonSchema(tool.input, 'input'), false);
  const full = portable(jsonSchema(tool.output, 'output'), true);
  const output = shareRepeats(tool.name === ORDER_SHOWN_BY ? full : referToOrder(full));
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: { ...input, type: 'object' },
    outputSchema: { ...output, type: 'object' },
    annotations: tool.annotations,
  };
}

/** The JSON Schema of a zod schema, without the `$schema` line. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = schema['~standard'].jsonSchema[io](TARGET);
  return rest;
}

const ORDER_MARKERS = ['orderId', 'clientOrderId', 'filledQuantity'];

function portable(schema: Json, output: boolean): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && Array.isArray(value)) {
      out[key] = value.includes('string') ? 'string' : value[0];
    } else if (key === 'items' && value === false) {
      out[key] = { not: {} };
    } else if (key === 'pattern' && schema['format'] === 'date-time') {
      continue;
    } else if (
      (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) ||
      (key === 'maximum' && value === Number.MAX_SAFE_INTEGER)
    ) {
      continue;
    } else if (output && (key === 'required' || (key === 'additionalProperties' && value === false))) {
      continue;
    } else if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, s]) => [name, isObject(s) ? part(s, output) : s]),
      );
    } else if ((key === 'items' || key === 'not') && isObject(value)) {
      out[key] = part(value, output);
    } else if (
      (key === 'anyOf' || key === 'oneOf' || key === 'allOf' || key === 'prefixItems') &&
      Array.isArray(value)
    ) {
      out[key] = (value as unknown[]).map((s) => (isObject(s) ? portable(s, output) : s));
    } else {
      out[key] = value;
    }
  }
  if (typeof out['description'] === 'string')
    out['description'] = out['description'].replace(DECIMAL_SUFFIX, '');
  return out;
}

/** A part of a schema: an Order inside an output schema is a reference to executeOrder's. */
function part(schema: Json, output: boolean): Json {
  return output && isOrder(schema) ? ORDER_REFERENCE : portable(schema, output);
}

/** decimalInput's description suffix: the listing says "string" and the instructions say why. */
const DECIMAL_SUFFIX = /; decimal string like "187\.42"$/;

const ORDER_REFERENCE = { type: 'object', description: 'An Order, as executeOrder returns it.' };

/** A whole result that is an Order (with or without more fields) as a reference plus the more. */
function referToOrder(schema: Json): Json {
  const properties = schema['properties'];
  if (!isObject(properties) || !isOrder(schema)) return schema;
  const more = Object.entries(properties).filter(([name]) => !(name in wireOrderSchema.shape));
  if (more.length === 0) return { ...ORDER_REFERENCE };
  return {
    ...ORDER_REFERENCE,
    description: `An Order, as executeOrder returns it, with ${more.map(([name]) => name).join(' and ')}.`,
    properties: Object.fromEntries(more),
  };
}

/** Below this size (JSON characters) a repeated part costs less than its reference. */
const SHARE_FROM = 200;

/**
 * Lists each object schema that occurs more than once under `$defs` and replaces every occurrence
 * with a `$ref` to it (draft 2020-12, which every validator reads; only for output schemas, which
 * clients validate with, not for the input schemas a model reads).
 */
function shareRepeats(schema: Json): Json {
  const seen = new Map<string, number>();
  const count = (node: unknown, top: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) count(n, false);
      return;
    }
    if (!isObject(node)) return;
    const text = JSON.stringify(node);
    if (!top && node['type'] === 'object' && text.length >= SHARE_FROM)
      seen.set(text, (seen.get(text) ?? 0) + 1);
    for (const n of Object.values(node)) count(n, false);
  };
  count(schema, true);
  const shared = new Map<string, string>();
  for (const [text, times] of seen) if (times > 1) shared.set(text, `part${String(shared.size + 1)}`);
  if (shared.size === 0) return schema;
  const within = (node: Json): Json =>
    Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replace(v)]));
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (!isObject(node)) return node;
    const name = shared.get(JSON.stringify(node));
    return name === undefined ? within(node) : { $ref: `#/$defs/${name}` };
  };
  // A shared part may hold a smaller shared part: its definition refers to that one too.
  const defs = Object.fromEntries(
    [...shared].map(([text, name]) => [name, within(JSON.parse(text) as Json)]),
  );
  return { ...within(schema), $defs: defs };
}

function isOrder(schema: Json): boolean {
  const properties = schema['properties'];
  return isObject(properties) && ORDER_MARKERS.every((m) => m in properties);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
