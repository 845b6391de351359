/**
 * Events by polling (spot REST pushes nothing): what the contract suite's skipped
 * fills-recoverable-by-polling case checks, with a stop_limit in place of the stop (market)
 * BTCUSDT lacks; each event told once; the background loop; a restarted adapter.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Fill } from '../../../src/domain/events.js';
import { connect, order, quote, startFake } from '../../support/fake-binance/harness.js';
import { useMockServer } from '../../support/msw.js';

const server = useMockServer();

const record = (f: Fill): string =>
  [f.fillId, f.clientOrderId, f.venueOrderId, f.side, f.quantity, f.price, f.fee, f.feeCurrency, f.liquidity]
    .map(String)
    .join(' ');

describe('ccxt adapter: events by polling', () => {
  it('recovers taker, ioc, maker and stop_limit fills, each told once however often it polls', async () => {
    const fake = startFake(server);
    const { broker, events, kinds, fills } = await connect();
    quote(fake, '100.00', '100.10', '50', '14');
    await broker.submit(order('taker', 'buy', 'market', '10'));
    await broker.submit(order('ioc', 'buy', 'limit', '10', { limitPrice: '100.10', timeInForce: 'ioc' }));
    await broker.submit(order('maker', 'buy', 'limit', '3', { limitPrice: '99.50' }));
    await broker.submit(
      order('stop', 'buy', 'stop_limit', '2', { stopPrice: '100.50', limitPrice: '100.60' }),
    );
    await broker.poll();
    quote(fake, '99.40', '99.50');
    await broker.poll();
    quote(fake, '100.50', '100.60');
    await broker.poll();
    await broker.poll();
    expect(fills()).toEqual([
      'taker 10@100.1 taker',
      'ioc 4@100.1 taker',
      'maker 3@99.5 maker',
      'stop 2@100.6 taker',
    ]);
    expect([kinds('taker'), kinds('ioc'), kinds('maker'), kinds('stop')]).toEqual([
      ['ack', 'fill'],
      ['ack', 'fill', 'cxl'],
      ['ack', 'fill'],
      ['ack', 'trig', 'fill'],
    ]);
    expect(new Set(events.map((e) => e.event.eventId)).size).toBe(events.length);
    const streamed = events.flatMap((e) => (e.event.kind === 'fill' ? [e.event.fill] : []));
    const polled = await broker.fillsSince('main', 0);
    expect(polled.map(record).sort()).toEqual(streamed.map(record).sort());
    await broker.close();
  });

  it("tells a canceled order's cxl after the partial fill the cancel answer reports", async () => {
    const fake = startFake(server);
    const { broker, kinds } = await connect();
    await broker.submit(order('part', 'buy', 'limit', '10', { limitPrice: '99.50' }));
    quote(fake, '99.40', '99.50', '50', '4');
    await broker.cancel({ accountId: 'main', clientOrderId: 'part' });
    expect(kinds('part')).toEqual(['ack']);
    await broker.poll();
    expect(kinds('part')).toEqual(['ack', 'fill', 'cxl']);
    const venue = await broker.getOrder('main', 'part');
    expect([venue?.status, venue?.filledQty.toFixed()]).toEqual(['canceled', '4']);
    await broker.close();
  });

  it('polls by itself every pollIntervalMs, and stops on close', async () => {
    const fake = startFake(server);
    const { broker, kinds } = await connect({ pollIntervalMs: 10 });
    await broker.submit(order('loop', 'buy', 'limit', '1', { limitPrice: '99.50' }));
    quote(fake, '99.40', '99.50');
    await vi.waitFor(() => {
      expect(kinds('loop')).toEqual(['ack', 'fill']);
    });
    await broker.close();
    const seen = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requests.length).toBe(seen);
  });

  it('reports a failed background poll and keeps polling', async () => {
    const fake = startFake(server);
    const failures: string[] = [];
    const { broker, kinds } = await connect({
      pollIntervalMs: 10,
      onPollError: (e) => failures.push(`${e.outcome} ${e.code}`),
    });
    await broker.submit(order('after-fault', 'buy', 'limit', '1', { limitPrice: '99.50' }));
    fake.faults.failNext(1, { path: '/api/v3/openOrders' });
    quote(fake, '99.40', '99.50');
    await vi.waitFor(() => {
      expect(kinds('after-fault')).toEqual(['ack', 'fill']);
    });
    expect(failures).toEqual(['ambiguous BROKER_UNAVAILABLE']);
    await broker.close();
  });

  it('reads a fills report window by window, as Binance serves 24 h of trades a request', async () => {
    const fake = startFake(server);
    const { broker } = await connect();
    await broker.submit(order('one', 'buy', 'market', '1'));
    const before = fake.received('/api/v3/myTrades').length;
    const fills = await broker.fillsSince('main', 0);
    expect(fills.map((f) => f.clientOrderId)).toEqual(['one']);
    const windows = fake.received('/api/v3/myTrades').slice(before);
    // Seven days back at most: seven closed 24 h windows, then one open-ended from now on.
    expect(windows.map((r) => (r.params['endTime'] === undefined ? 'open' : 'day'))).toEqual([
      ...Array<string>(7).fill('day'),
      'open',
    ]);
    await broker.close();
  });

  it('a restarted adapter follows the open orders it finds and recovers earlier fills by order', async () => {
    const fake = startFake(server);
    const first = await connect();
    await first.broker.submit(order('before', 'buy', 'market', '2'));
    await first.broker.submit(order('resting', 'buy', 'limit', '5', { limitPrice: '99.50' }));
    await first.broker.close();

    const second = await connect();
    await second.broker.poll();
    expect(second.kinds('resting')).toEqual(['ack']);
    expect((await second.broker.getOrder('main', 'resting'))?.status).toBe('new');
    quote(fake, '99.40', '99.50');
    await second.broker.poll();
    expect(second.fills()).toEqual(['resting 5@99.5 maker']);
    const recovered = await second.broker.fillsSince('main', 0);
    expect(recovered.map((f) => `${f.clientOrderId} ${f.quantity.toFixed()}@${f.price.toFixed()}`)).toEqual([
      'before 2@100.1',
      'resting 5@99.5',
    ]);
    const [position] = await second.broker.positions('main');
    expect([position?.symbol, position?.quantity.toFixed(), position?.avgEntryPrice.toFixed()]).toEqual([
      'BTC/USDT',
      '7',
      // (2 × 100.1 + 5 × 99.5) / 7, from the fills just read back
      '99.67142857142857142857142857142857142857',
    ]);
    await second.broker.close();
  });
});
