/**
 * What tools/list shows of a tool: its schemas in JSON Schema, made portable and small. The
 * schemas the server validates with stay the full zod ones; the listing may only be looser:
 * - decimals (accepted as string or number) are shown as strings, the form the instructions ask
 *   for; a `type` array is not portable (single-type dialects reject it);
 * - `items: false` (closed tuples) becomes `{ "not": {} }`, the object form every dialect reads;
 * - a date-time string keeps its format without zod's 400-character pattern;
 * - output schemas drop `required` and `additionalProperties: false` (the server validates its
 *   results against the full schema before sending them), and an Order inside a list is shown as
 *   "an Order" (the full shape is in executeOrder's output schema), so the listing stays small.
 */
import type { z } from 'zod';
import type { ToolDefinition } from './tool-kit.js';

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

function listed(tool: ToolDefinition): ListedTool {
  const input = portable(jsonSchema(tool.input, 'input'), false, 0);
  const output = portable(jsonSchema(tool.output, 'output'), true, 0);
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

function portable(schema: Json, output: boolean, depth: number): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && Array.isArray(value)) {
      out[key] = value.includes('string') ? 'string' : value[0];
    } else if (key === 'items' && value === false) {
      out[key] = { not: {} };
    } else if (key === 'pattern' && schema['format'] === 'date-time') {
      continue;
    } else if (output && (key === 'required' || (key === 'additionalProperties' && value === false))) {
      continue;
    } else if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, s]) => [name, isObject(s) ? portable(s, output, depth + 1) : s]),
      );
    } else if ((key === 'items' || key === 'not') && isObject(value)) {
      out[key] = output && depth > 0 && isOrder(value) ? ORDER_REFERENCE : portable(value, output, depth + 1);
    } else if (
      (key === 'anyOf' || key === 'oneOf' || key === 'allOf' || key === 'prefixItems') &&
      Array.isArray(value)
    ) {
      out[key] = (value as unknown[]).map((s) => (isObject(s) ? portable(s, output, depth + 1) : s));
    } else {
      out[key] = value;
    }
  }
  if (typeof out['description'] === 'string')
    out['description'] = out['description'].replace(DECIMAL_SUFFIX, '');
  return out;
}

/** decimalInput's description suffix: the listing says "string" and the instructions say why. */
const DECIMAL_SUFFIX = /; decimal string like "187\.42"$/;

const ORDER_REFERENCE = { type: 'object', description: 'An Order, as executeOrder returns it.' };

function isOrder(schema: Json): boolean {
  const properties = schema['properties'];
  return isObject(properties) && ORDER_MARKERS.every((m) => m in properties);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
