import { describe, expect, it } from 'vitest';
import { ZERO, dec } from '../../domain/decimal.js';
import type { Fill } from '../../domain/events.js';
import type { VenueEvent } from '../broker.js';
import { OrderTracker } from './order-tracker.js';
import type { OrderView } from './order-view.js';

function view(overrides: Partial<OrderView> = {}): OrderView {
  return {
    venueOrderId: '7',
    clientOrderId: 'c-1',
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'limit',
    timeInForce: 'gtc',
    postOnly: false,
    quantity: dec(10),
    filledQty: ZERO,
    filledNotional: undefined,
    limitPrice: dec(100),
    stopPrice: undefined,
    venueStatus: 'open',
    rawStatus: 'NEW',
    working: true,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

function fill(id: string, quantity: string): Fill {
  return {
    fillId: `BTC/USDT:${id}`,
    clientOrderId: 'c-1',
    venueOrderId: '7',
    venue: 'v',
    accountId: 'main',
    symbol: 'BTC/USDT',
    side: 'buy',
    quantity: dec(quantity),
    price: dec(100),
    liquidity: 'maker',
    fee: ZERO,
    feeCurrency: 'USDT',
    ts: 2_000,
  };
}

function setup() {
  const events: VenueEvent[] = [];
  const tracker = new OrderTracker(
    'v',
    'main',
    () => 5_000,
    (e) => events.push(e),
  );
  const kinds = () => events.map((e) => e.event.kind);
  return { tracker, events, kinds };
}

describe('OrderTracker', () => {
  it('tells each ack and fill once, however often the venue reports them', () => {
    const { tracker, kinds, events } = setup();
    const track = tracker.follow('c-1', view());
    tracker.observe(track, view());
    tracker.observe(track, view());
    tracker.fill(track, fill('1', '4'));
    tracker.fill(track, fill('1', '4'));
    expect(kinds()).toEqual(['ack', 'fill']);
    expect(events[0]?.event).toMatchObject({
      clientOrderId: 'c-1',
      venueOrderId: '7',
      venueTime: 1_000,
      receivedAt: 5_000,
    });
    expect(new Set(events.map((e) => e.event.eventId)).size).toBe(2);
  });

  it("tells an ended order's cancel only after the fills it reports", () => {
    const { tracker, kinds } = setup();
    const track = tracker.follow('c-1', view());
    tracker.observe(track, view());
    tracker.observe(track, view({ venueStatus: 'canceled', rawStatus: 'CANCELED', filledQty: dec(4) }));
    tracker.settle(track);
    expect(kinds()).toEqual(['ack']);
    tracker.fill(track, fill('1', '4'));
    tracker.settle(track);
    tracker.settle(track);
    expect(kinds()).toEqual(['ack', 'fill', 'cxl']);
    expect(tracker.working()).toEqual([]);
  });

  it('tells a filled order no end event; an expired ioc is canceled, a gtc expiry is exp', () => {
    const filled = setup();
    const a = filled.tracker.follow('c-1', view());
    filled.tracker.observe(a, view({ venueStatus: 'closed', filledQty: dec(10) }));
    filled.tracker.fill(a, fill('1', '10'));
    filled.tracker.settle(a);
    expect(filled.kinds()).toEqual(['ack', 'fill']);

    const ioc = setup();
    const b = ioc.tracker.follow('c-1', view({ timeInForce: 'ioc' }));
    ioc.tracker.observe(b, view({ timeInForce: 'ioc', venueStatus: 'expired', rawStatus: 'EXPIRED' }));
    ioc.tracker.settle(b);
    expect(ioc.kinds()).toEqual(['ack', 'cxl']);

    const gtc = setup();
    const c = gtc.tracker.follow('c-1', view());
    gtc.tracker.observe(c, view({ venueStatus: 'expired', rawStatus: 'EXPIRED' }));
    gtc.tracker.settle(c);
    expect(gtc.kinds()).toEqual(['ack', 'exp']);
  });

  it("tells a stop-limit's trigger when the venue says it works, before its fills", () => {
    const { tracker, kinds } = setup();
    const stop = view({ type: 'stop_limit', stopPrice: dec(101), working: false });
    const track = tracker.follow('c-1', stop);
    tracker.observe(track, stop);
    expect(kinds()).toEqual(['ack']);
    tracker.observe(track, { ...stop, working: true });
    tracker.fill(track, fill('1', '10'));
    expect(kinds()).toEqual(['ack', 'trig', 'fill']);
  });

  it('tells the rej of a refused order, and keeps a record of every fill by symbol', () => {
    const { tracker, events } = setup();
    tracker.refused('c-9', 'POST_ONLY_WOULD_TAKE', 'would take');
    expect(events[0]?.event).toMatchObject({
      kind: 'rej',
      clientOrderId: 'c-9',
      code: 'POST_ONLY_WOULD_TAKE',
    });
    tracker.record(fill('2', '1'));
    tracker.record(fill('2', '1'));
    expect(tracker.recordedFills('BTC/USDT').map((f) => f.fillId)).toEqual(['BTC/USDT:2']);
  });
});
