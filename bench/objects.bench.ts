import { dec } from '../src/domain/decimal.js';
import { extend } from '../src/domain/objects.js';
import { type Order, createOrder, orderSpecOf } from '../src/domain/order.js';
import { fmt, printTable } from './table.js';

/**
 * Why the order path builds objects with `extend`: on this Node, a literal that starts with a spread
 * and adds keys gets a hidden class of its own each time. The same order built three ways: time per
 * object, and heap kept per object (100,000 of them held, each with its own id strings).
 */
const request = {
  symbol: 'BTC/USD',
  side: 'buy',
  type: 'limit',
  quantity: dec('0.001'),
  limitPrice: dec('90000'),
  timeInForce: 'gtc',
} as const;

const ZERO = dec(0);
const fields = (i: number) => ({
  id: `o-${i}`,
  clientOrderId: `c-${i}`,
  accountId: 'a',
  venue: 'paper',
  status: 'pending_new' as const,
  filledQty: ZERO,
  filledNotional: ZERO,
  overfillQty: ZERO,
  venueOrderIds: [],
  held: false,
  emulated: false,
  inferred: false,
  external: false,
  createdAt: i,
  updatedAt: i,
});

const ways: readonly [string, (i: number) => Order][] = [
  ['{ ...spec, 15 new keys }', (i) => ({ ...orderSpecOf(request), ...fields(i) })],
  ['extend(spec, { 15 new keys })', (i) => extend(orderSpecOf(request), fields(i))],
  [
    'createOrder(spec, fields): one literal',
    (i) =>
      createOrder(request, {
        id: `o-${i}`,
        clientOrderId: `c-${i}`,
        accountId: 'a',
        venue: 'paper',
        venueOrderIds: [],
        held: false,
        createdAt: i,
      }),
  ],
];

function measure(build: (i: number) => Order): [number, number] {
  for (let i = 0; i < 20_000; i++) build(i); // warm up
  const n = 200_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) build(i);
  const ns = ((performance.now() - start) * 1e6) / n;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: 100_000 }, (_, i) => build(i));
  gc?.();
  const bytes = (process.memoryUsage().heapUsed - before) / kept.length;
  return [ns, bytes];
}

export function runObjectBenchmarks(): void {
  const rows = ways.map(([name, build]) => {
    const [ns, bytes] = measure(build);
    return [name, fmt(ns, 0), fmt(bytes, 0)];
  });
  printTable(
    `Building one order object (${process.version}; heap figures need --expose-gc, as npm run bench gives)`,
    ['how', 'ns per object', 'heap bytes kept per object'],
    rows,
  );
}
