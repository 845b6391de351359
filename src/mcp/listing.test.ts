import { describe, expect, it } from 'vitest';
import { type ListedTool, listing } from './listing.js';
import { TOOLS } from './tools.js';
import { wireOrderSchema } from './wire.js';

type Json = Record<string, unknown>;

const listed = listing(TOOLS);

function tool(name: string): ListedTool {
  const found = listed.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no tool ${name} in the listing`);
  return found;
}

/** Every object in a JSON value, depth first. */
function* objects(value: unknown): Generator<Json> {
  if (Array.isArray(value)) for (const v of value) yield* objects(v);
  else if (typeof value === 'object' && value !== null) {
    yield value as Json;
    for (const v of Object.values(value)) yield* objects(v);
  }
}

const props = (schema: Json): Json => (schema['properties'] ?? {}) as Json;

describe('tools/list schemas', () => {
  it('drops the integer bounds zod adds but keeps the bounds a field sets', () => {
    const all = [...objects(listed)];
    expect(all.some((o) => o['minimum'] === Number.MIN_SAFE_INTEGER)).toBe(false);
    expect(all.some((o) => o['maximum'] === Number.MAX_SAFE_INTEGER)).toBe(false);
    // algo.slices is an integer from 1 to 1,000.
    const algo = props(tool('executeOrder').inputSchema)['algo'] as Json;
    expect(props(algo)['slices']).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
  });

  it('shows an Order in full in executeOrder only, elsewhere as a reference plus what a result adds', () => {
    const orderFields = Object.keys(wireOrderSchema.shape);
    expect(Object.keys(props(tool('executeOrder').outputSchema))).toEqual(orderFields);
    expect(tool('cancelOrder').outputSchema).toEqual({
      type: 'object',
      description: 'An Order, as executeOrder returns it.',
    });
    const getOrder = tool('getOrder').outputSchema;
    expect(Object.keys(props(getOrder))).toEqual(['fills', 'events']);
    expect(getOrder['description']).toBe('An Order, as executeOrder returns it, with fills and events.');
    // Nested: submitSignal's order and listOrders' items.
    expect(props(tool('submitSignal').outputSchema)['order']).toEqual({
      type: 'object',
      description: 'An Order, as executeOrder returns it.',
    });
  });

  it('lists a part an output schema repeats once under $defs, referenced where it was', () => {
    const output = tool('getRiskLimits').outputSchema;
    const levels = props(props(output)['limits'] as Json);
    const refs = ['global', 'account', 'agent'].map((level) => levels[level]);
    expect(refs[0]).toEqual({ $ref: expect.stringMatching(/^#\/\$defs\/\w+$/) as unknown });
    expect(refs[1]).toEqual(refs[0]);
    expect(refs[2]).toEqual(refs[0]);
    const name =
      String((refs[0] as Json)['$ref'])
        .split('/')
        .at(-1) ?? '';
    const shared = (output['$defs'] as Json)[name] as Json;
    expect(Object.keys(props(shared))).toContain('maxOrdersPerSecond');
    // Input schemas, read by models, are never rewritten with references.
    expect([...objects(listed.map((t) => t.inputSchema))].some((o) => '$ref' in o)).toBe(false);
  });
});
