import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../domain/clock.js';
import { dec } from '../domain/decimal.js';
import { InstrumentRegistry } from '../domain/instruments.js';
import { BrokerCallError } from './broker.js';
import { type FaultyBroker, withFaults } from './test-faults.js';
import { ConnectionGuard, connectionHealth } from './connection-guard.js';
import { PaperBroker } from './paper/paper-broker.js';
import { T_OPEN, makeAccount } from './paper/test-support.js';

/** The paper venue with failures injected per call name: a real venue behind a flaky wire. */
function flaky(): FaultyBroker<PaperBroker> {
  return withFaults(
    new PaperBroker({
      profile: {
        id: 'flaky',
        name: 'flaky',
        description: '',
        assetClasses: ['us_equity'],
        depthScale: dec(1),
        options: {},
        symbolOptions: {},
        accounts: [makeAccount({ id: 'A1', venue: 'flaky' })],
      },
      instruments: new InstrumentRegistry(),
      clock: new SimulatedClock(T_OPEN),
    }),
  );
}

const order = (clientOrderId: string) => ({
  accountId: 'A1',
  clientOrderId,
  symbol: 'AAPL',
  side: 'buy' as const,
  type: 'limit' as const,
  quantity: dec(1),
  limitPrice: dec(100),
  timeInForce: 'day' as const,
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionGuard', () => {
  it('never retries a submit: an unknown outcome is left to reconciliation', async () => {
    const { broker, fail, calls } = flaky();
    const guard = new ConnectionGuard(broker, { retryDelayMs: 0 });
    fail.set('submit', 1);
    await expect(guard.submit(order('s1'))).rejects.toMatchObject({ outcome: 'ambiguous' });
    expect(calls.get('submit')).toBe(1);
  });

  it('retries a read that is safe to repeat, with backoff, and answers', async () => {
    const { broker, fail, calls } = flaky();
    const guard = new ConnectionGuard(broker, { retryDelayMs: 0, attempts: 3 });
    fail.set('openOrders', 2);
    await expect(guard.openOrders('A1')).resolves.toEqual([]);
    expect(calls.get('openOrders')).toBe(3);
    expect(guard.health()).toMatchObject({ status: 'degraded', circuit: 'closed', calls: 3 });
  });

  it('opens the circuit after consecutive failures: calls then fail at once, definitively, and the venue is down', async () => {
    const { broker, fail, calls } = flaky();
    const guard = new ConnectionGuard(broker, { retryDelayMs: 0, breakAfter: 3, attempts: 1 });
    fail.set('submit', 3);
    for (const id of ['a', 'b', 'c'])
      await expect(guard.submit(order(id))).rejects.toBeInstanceOf(BrokerCallError);
    await expect(guard.submit(order('d'))).rejects.toMatchObject({
      outcome: 'definitive',
      code: 'BROKER_UNAVAILABLE',
    });
    expect(calls.get('submit')).toBe(3); // the fourth never reached the venue
    expect(guard.health()).toMatchObject({ status: 'down', circuit: 'open' });
    expect(connectionHealth([guard], 'flaky')).toEqual({ status: 'down', circuitOpen: true });
  });

  it('counts a venue’s refusal as an answer, not a failure', async () => {
    const { broker } = flaky();
    const guard = new ConnectionGuard(broker, { breakAfter: 2 });
    for (const id of ['x', 'y', 'z']) {
      const receipt = await guard.submit({ ...order(id), symbol: 'NOPE' }).catch((e: unknown) => e);
      expect(receipt).toBeDefined();
    }
    expect(guard.health()).toMatchObject({ circuit: 'closed', errorRate: 0 });
  });

  it('half-opens after the wait, closes on a good call and reports the recovery', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { broker, fail } = flaky();
    const recovered: string[] = [];
    const guard = new ConnectionGuard(broker, {
      breakAfter: 2,
      attempts: 1,
      halfOpenAfterMs: 30_000,
      onRecovered: (venue) => recovered.push(venue),
    });
    fail.set('submit', 2);
    await guard.submit(order('f1')).catch(() => undefined);
    await guard.submit(order('f2')).catch(() => undefined);
    expect(guard.health().circuit).toBe('open');
    vi.advanceTimersByTime(29_000);
    await expect(guard.submit(order('early'))).rejects.toMatchObject({ outcome: 'definitive' });
    vi.advanceTimersByTime(2_000);
    await expect(guard.submit(order('trial'))).resolves.toMatchObject({ status: 'accepted' });
    // Closed again; the failures are still in the error window, so it is degraded, not down.
    expect(guard.health()).toMatchObject({ circuit: 'closed', status: 'degraded' });
    expect(recovered).toEqual(['flaky']);
  });
  it('answers account reports from the last one when the venue fails, and reuses them within the TTL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { broker, fail, calls } = flaky();
    const guard = new ConnectionGuard(broker, { retryDelayMs: 0, attempts: 1, accountsTtlMs: 1_000 });
    // No report yet: a failure is the caller's.
    fail.set('accounts', 1);
    await expect(guard.accounts()).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    const first = await guard.accounts();
    expect(first.map((a) => a.accountId)).toEqual(['A1']);
    // Within the TTL the venue is not asked; concurrent callers share one report.
    await Promise.all([guard.accounts(), guard.accounts()]);
    expect(calls.get('accounts')).toBe(2);
    // Stale: answered at once while a fresh report is fetched; that fetch fails: the last stands.
    vi.setSystemTime(Date.now() + 1_500);
    fail.set('accounts', 1);
    expect((await guard.accounts()).map((a) => a.accountId)).toEqual(['A1']);
    await vi.waitFor(() => {
      expect(calls.get('accounts')).toBe(3);
    });
    expect((await guard.accounts()).map((a) => a.accountId)).toEqual(['A1']);
  });

  it('does not let account reports reset the count of consecutive failures', async () => {
    const { broker, fail } = flaky();
    const guard = new ConnectionGuard(broker, { retryDelayMs: 0, attempts: 1, breakAfter: 2 });
    fail.set('submit', 2);
    await guard.submit(order('f1')).catch(() => undefined);
    await guard.accounts();
    await guard.submit(order('f2')).catch(() => undefined);
    expect(guard.health().circuit).toBe('open');
  });
});
