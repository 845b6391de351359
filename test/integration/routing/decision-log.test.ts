/**
 * The router's decision for an order the risk engine admits is recorded in the admission's
 * transaction, with the order (the server's wiring, on both stores): one decision per order placed,
 * a denied order's too, none for a request that reused a client order id (also when two such
 * requests reach the admission at once); its insert looks each order up by key even with the plan
 * made while the orders table was empty (the plan the hot statements keep); on PostgreSQL the
 * decision's insert goes in the write that inserts the order and commits.
 */
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { SubmitInput } from '../../../src/engine/order-service.js';
import { RECORD_DECISIONS } from '../../../src/store/routing-store.js';
import { startTestCore } from '../../support/core.js';
import { TEST_BACKENDS, createTestDatabase } from '../../support/databases.js';
import { recordingProxy } from '../store/helpers.js';

const limitBuy = (clientOrderId: string, quantity = '10'): SubmitInput => ({
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: dec(quantity),
  limitPrice: dec('189.00'),
  timeInForce: 'day',
  clientOrderId,
  agentId: 'local',
  reason: 'routing decision test',
});

describe.each(TEST_BACKENDS)('routing decisions recorded with their orders on %s', (backend) => {
  it('one decision per order placed or denied, none for a reused client order id', async () => {
    const database = await createTestDatabase(backend);
    const { app, feed } = await startTestCore({ env: { DATABASE_URL: database.url } });
    try {
      feed.set('AAPL', { book: { bids: [['189.98', '5000']], asks: [['190.02', '5000']] } });
      const placed = await app.service.submit(limitBuy('route-1'));
      expect(placed.order.status).toBe('new');
      const again = await app.service.submit(limitBuy('route-1'));
      expect(again.order.id).toBe(placed.order.id);
      // Over the local agent's order notional limit: recorded as denied, with its decision.
      const denied = await app.service.submit(limitBuy('route-2', '100000'));
      expect(denied.order.status).toBe('denied');
      // Sent at once in one account, the same client order id reaches the admission twice (in one
      // batch, or in two where the second insert finds the id taken): one order, one decision.
      const twice = { ...limitBuy('route-3'), accountId: 'eq-margin' };
      const [first, second] = await Promise.all([app.service.submit(twice), app.service.submit(twice)]);
      expect(second.order.id).toBe(first.order.id);

      const rows = await app.store.query(
        `select d.order_id, count(distinct d.id)::int as decisions, count(a.id)::int as allocations,
                min(a.venue) as venue, min(a.quantity)::text as quantity
         from routing_decisions d left join routing_allocations a on a.decision_id = d.id
         group by d.order_id order by d.order_id`,
        [],
      );
      expect(
        rows.map((r) => [r['order_id'], r['decisions'], r['allocations'], r['venue'], r['quantity']]),
      ).toEqual(
        [
          [placed.order.id, 1, 1, 'paper-equities', '10'],
          [denied.order.id, 1, 1, 'paper-equities', '100000'],
          [first.order.id, 1, 1, 'paper-equities', '10'],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    } finally {
      await app.stop();
      await database.drop();
    }
  });

  it.runIf(backend === 'postgres')(
    "sends an order's decision in the write that inserts the order and commits",
    async () => {
      const database = await createTestDatabase('postgres');
      const proxy = await recordingProxy(database.url);
      const { app, feed } = await startTestCore({ env: { DATABASE_URL: proxy.url } });
      try {
        feed.set('AAPL', { book: { bids: [['189.98', '5000']], asks: [['190.02', '5000']] } });
        // The first orders prepare the admission's statements on the connections they use.
        for (let i = 0; i < 3; i += 1) await app.service.submit(limitBuy(`warm-${String(i)}`, '1'));
        const from = proxy.writes.length;
        await app.service.submit(limitBuy('route-3', '1'));
        const ran = proxy.ranSince(from);
        const inserting = ran.filter((statements) => statements.includes('insert into orders'));
        expect(inserting).toEqual([['insert into orders', 'with decisions as', 'commit']]);
      } finally {
        await app.stop();
        await proxy.close();
        await database.drop();
      }
    },
  );

  it('looks each order up by key, with the generic plan made while the orders table is empty', async () => {
    const database = await createTestDatabase(backend);
    const store = await database.open();
    // The hot statements' settings: a kept (generic) plan, an index wherever one answers.
    const pg =
      backend === 'postgres'
        ? postgres(database.url, {
            max: 1,
            onnotice: () => undefined,
            connection: { plan_cache_mode: 'force_generic_plan', enable_seqscan: 'off' },
          })
        : undefined;
    const lite = (store.db as unknown as { $client: PGlite }).$client;
    const run = async (text: string): Promise<string[]> =>
      pg === undefined
        ? (await lite.query<Record<string, string>>(text)).rows.map((r) => Object.values(r).join(''))
        : (await pg.unsafe<Record<string, string>[]>(text)).map((r) => Object.values(r).join(''));
    try {
      if (pg === undefined) await run('set plan_cache_mode = force_generic_plan');
      await run(`prepare record_decisions(jsonb, jsonb) as ${RECORD_DECISIONS}`);
      const plan = (await run(`explain execute record_decisions('[]', '[]')`)).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan using orders_pkey on orders/);
      expect(plan).not.toMatch(/Hash[^\n]*\n(.*\n)*.*Scan on orders/);
    } finally {
      if (pg === undefined) {
        await run('deallocate record_decisions');
        await run('reset plan_cache_mode');
      }
      await pg?.end();
      await store.close();
      await database.drop();
    }
  });
});
