import type { Context, Hono } from 'hono';
import { AlpacaFailure, invalid, orderNotFound } from './alpaca-errors.js';
import type { AlpacaOrderRecord } from './order-ledger.js';
import { orderJson } from './order-json.js';
import { parseReplace, parseSubmit } from './order-request.js';
import { type FakeContext, nestedParam, readJson, route } from './route-kit.js';

const MAX_LIMIT = 500;

/** The Orders API subset: submit, list, get (by id, by client id), replace, cancel one or all. */
export function orderRoutes(app: Hono, ctx: FakeContext): void {
  const render = (record: AlpacaOrderRecord, nested: boolean) =>
    orderJson(ctx.render, ctx.templates.order, record, nested);
  const find = (id: string): AlpacaOrderRecord => {
    const record = ctx.exchange.ledger.get(id);
    if (record === undefined) throw new AlpacaFailure(orderNotFound());
    return record;
  };

  app.post(
    '/v2/orders',
    route(ctx, 'submit', async (c) => {
      const plan = parseSubmit(await readJson(c), ctx.instruments);
      return c.json(render(await ctx.exchange.submit(plan), true));
    }),
  );
  app.get(
    '/v2/orders',
    route(ctx, 'list_orders', (c) => {
      const nested = nestedParam(c);
      return Promise.resolve(c.json(listOrders(ctx, c).map((r) => render(r, nested))));
    }),
  );
  app.delete(
    '/v2/orders',
    route(ctx, 'cancel_all', async (c) => {
      const item = ctx.templates.cancelAllItem;
      const results = await ctx.exchange.cancelAll();
      const body = results.map(({ id, error }) =>
        error === undefined
          ? { ...item, id, status: 200 }
          : { ...item, id, status: error.status, body: { code: error.code, message: error.message } },
      );
      return c.json(body, 207);
    }),
  );
  app.get(
    '/v2/orders:by_client_order_id',
    route(ctx, 'get_order', (c) => {
      const record = ctx.exchange.ledger.byClientOrderId(c.req.query('client_order_id') ?? '');
      if (record === undefined) throw new AlpacaFailure(orderNotFound());
      return Promise.resolve(c.json(render(record, nestedParam(c))));
    }),
  );
  app.get(
    '/v2/orders/:id',
    route(ctx, 'get_order', (c) =>
      Promise.resolve(c.json(render(find(c.req.param('id') ?? ''), nestedParam(c)))),
    ),
  );
  app.patch(
    '/v2/orders/:id',
    route(ctx, 'replace', async (c) => {
      const record = find(c.req.param('id') ?? '');
      const plan = parseReplace(await readJson(c));
      return c.json(render(await ctx.exchange.replace(record, plan), true));
    }),
  );
  app.delete(
    '/v2/orders/:id',
    route(ctx, 'cancel', async (c) => {
      await ctx.exchange.cancel(find(c.req.param('id') ?? ''));
      return c.body(null, 204);
    }),
  );
}

/**
 * GET /v2/orders: `status` open (default), closed or all; `after`/`until` bound submitted_at
 * (exclusive); `direction` desc (default) or asc; `limit` 50 by default, at most 500; `symbols` a
 * comma list; `side`; `nested=true` lists contingent parents only, their legs rolled up.
 */
function listOrders(ctx: FakeContext, c: Context): AlpacaOrderRecord[] {
  const ledger = ctx.exchange.ledger;
  const q = (name: string): string | undefined => c.req.query(name);
  const status = q('status') ?? 'open';
  if (status !== 'open' && status !== 'closed' && status !== 'all')
    throw new AlpacaFailure(invalid('invalid status'));
  const limit = q('limit') === undefined ? 50 : Number(q('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new AlpacaFailure(invalid(`limit must be between 1 and ${MAX_LIMIT}`));
  const after = time(q('after'), 'after');
  const until = time(q('until'), 'until');
  const symbols = q('symbols')
    ?.split(',')
    .map((s) => ctx.instruments.find(s)?.symbol ?? s.trim());
  const side = q('side');
  const nested = nestedParam(c);
  const rows = ledger.all().filter((r) => {
    const order = ledger.orderOf(r);
    const open = ledger.isOpen(r);
    return (
      (status === 'all' || (status === 'open') === open) &&
      (after === undefined || r.submittedAt > after) &&
      (until === undefined || r.submittedAt < until) &&
      (symbols === undefined || symbols.includes(order.symbol)) &&
      (side === undefined || order.side === side) &&
      !(nested && r.parentId !== undefined)
    );
  });
  // The ledger keeps submission order; a stable sort keeps it among orders of one moment.
  rows.sort((a, b) => a.submittedAt - b.submittedAt);
  if (q('direction') !== 'asc') rows.reverse();
  return rows.slice(0, limit);
}

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AlpacaFailure(invalid(`invalid ${field}: not an RFC 3339 time`));
  return ms;
}
