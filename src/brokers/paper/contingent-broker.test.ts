/**
 * Native contingent groups through the broker port (broker.ts `submitGroup`, `VenueOrder.held`) and
 * the venue profile's capability fields: `nativeContingent` and `orderTypes` (ORDER-SEMANTICS.md
 * §2.1, §4). A durable venue keeps its groups across a restart: the state goes through a store that
 * writes JSON and reads it back with the production decimal reviver, as jsonb would.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../domain/clock.js';
import { dec } from '../../domain/decimal.js';
import type { Fill } from '../../domain/events.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import { ORDER_TYPES } from '../../domain/order.js';
import type { Position } from '../../domain/position.js';
import type { Account } from '../../domain/account.js';
import type { MarketUpdate } from '../../marketdata/types.js';
import { reviveDecimals } from '../../store/json-decimals.js';
import {
  BrokerCallError,
  type ContingentClass,
  type GroupLeg,
  type GroupSubmitRequest,
  type VenueEvent,
} from '../broker.js';
import type { EngineCounters } from './matching-engine.js';
import { PaperBroker } from './paper-broker.js';
import type { PaperSnapshot, PaperStateStore } from './paper-state.js';
import { T_OPEN, bookSnapshot, describeEvent, makeAccount } from './test-support.js';
import { type VenueProfile, parseVenueProfiles } from './venue-profiles.js';
import type { WorkingSnapshot } from './working-order.js';

const VENUE = 'paper-groups';
const ACCOUNT = 'A1';

/** Saves as JSON text and reads back through the store's decimal reviver (as the jsonb store does). */
class JsonStateStore implements PaperStateStore {
  private head: { instanceId: string; counters: EngineCounters } | undefined;
  private readonly orders = new Map<string, string>();
  private readonly accounts = new Map<string, string>();
  private readonly positions = new Map<string, string>();
  private readonly fills = new Map<string, string>();

  load(): Promise<PaperSnapshot | undefined> {
    if (this.head === undefined) return Promise.resolve(undefined);
    const read = <T>(rows: Map<string, string>): T[] =>
      [...rows.values()].map((text) => reviveDecimals(JSON.parse(text)) as T);
    return Promise.resolve({
      ...this.head,
      orders: read<WorkingSnapshot>(this.orders).sort((a, b) => a.seq - b.seq),
      accounts: read<Account>(this.accounts),
      positions: read<Position>(this.positions),
      fills: read<Fill>(this.fills),
    });
  }

  save(_venue: string, batch: PaperSnapshot): Promise<void> {
    this.head = { instanceId: batch.instanceId, counters: batch.counters };
    for (const o of batch.orders)
      this.orders.set(`${o.order.accountId}|${o.order.clientOrderId}`, JSON.stringify(o));
    for (const a of batch.accounts) this.accounts.set(a.id, JSON.stringify(a));
    for (const p of batch.positions) this.positions.set(`${p.accountId}|${p.symbol}`, JSON.stringify(p));
    for (const f of batch.fills) if (!this.fills.has(f.fillId)) this.fills.set(f.fillId, JSON.stringify(f));
    return Promise.resolve();
  }
}

function profile(extra: Partial<VenueProfile> = {}): VenueProfile {
  return {
    id: VENUE,
    name: 'Groups venue',
    description: '',
    assetClasses: ['us_equity'],
    depthScale: dec(1),
    options: {},
    symbolOptions: {},
    accounts: [makeAccount({ venue: VENUE })],
    ...extra,
  };
}

async function start(
  extra: Partial<VenueProfile> = {},
  state?: PaperStateStore,
  clock = new SimulatedClock(T_OPEN),
) {
  const broker = new PaperBroker({
    profile: profile(extra),
    instruments: new InstrumentRegistry(),
    clock,
    ...(state === undefined ? {} : { state }),
  });
  const events: VenueEvent[] = [];
  broker.subscribe((e) => events.push(e));
  await broker.connect();
  /** Sets the AAPL book to one level a side and waits until the venue saved and published. */
  const quote = async (bid: [string, number], ask: [string, number], seconds: number): Promise<void> => {
    const update: MarketUpdate = {
      kind: 'book',
      book: bookSnapshot('AAPL', [bid], [ask], T_OPEN + seconds * 1000),
    };
    broker.simulate(update);
    await broker.whenSaved();
  };
  const log = (id: string): string[] =>
    events.filter((e) => e.event.clientOrderId === id).map((e) => describeEvent(e.event));
  return { broker, events, quote, log, clock };
}

const leg = (role: GroupLeg['role'], clientOrderId: string, rest: Partial<GroupLeg>): GroupLeg => ({
  accountId: ACCOUNT,
  clientOrderId,
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: dec(10),
  timeInForce: 'gtc',
  role,
  ...rest,
});

/** A buy bracket: entry limit 10 @ 100, take-profit limit 105, stop-loss stop 95. */
function bracket(orderClass: ContingentClass = 'bracket'): GroupSubmitRequest {
  return {
    orderClass,
    accountId: ACCOUNT,
    legs: [
      leg('entry', 'entry', { limitPrice: dec('100.00') }),
      leg('take_profit', 'tp', { side: 'sell', limitPrice: dec('105.00'), reduceOnly: true }),
      leg('stop_loss', 'sl', { side: 'sell', type: 'stop', stopPrice: dec('95.00'), reduceOnly: true }),
    ],
  };
}

const codes = (receipts: readonly { status: string; code?: string }[]): string[] =>
  receipts.map((r) => r.code ?? r.status);

describe('PaperBroker.submitGroup (§4)', () => {
  it('answers one receipt per leg and reports held legs as held', async () => {
    const v = await start();
    await v.quote(['99.90', 100], ['100.10', 100], 0);
    const receipts = await v.broker.submitGroup(bracket());
    expect(codes(receipts)).toEqual(['accepted', 'accepted', 'accepted']);
    const open = await v.broker.openOrders(ACCOUNT);
    expect(open.map((o) => [o.clientOrderId, o.status, o.held ?? false])).toEqual([
      ['entry', 'new', false],
      ['tp', 'new', true],
      ['sl', 'new', true],
    ]);
    await v.quote(['99.80', 100], ['100.00', 100], 1);
    expect((await v.broker.getOrder(ACCOUNT, 'tp'))?.held).toBeUndefined();
    expect(v.log('tp')).toEqual(['ack', 'upd held=false,quantity=10']);
  });

  it('declares all three native classes and every order type by default', async () => {
    const v = await start();
    expect(v.broker.capabilities.nativeContingent).toEqual(['bracket', 'oco', 'oto']);
    expect(v.broker.capabilities.orderTypes).toEqual(ORDER_TYPES);
  });

  it('a venue whose nativeContingent lacks the class rejects every leg and records nothing', async () => {
    const none = await start({ nativeContingent: [] });
    expect(codes(await none.broker.submitGroup(bracket()))).toEqual([
      'INVALID_ORDER',
      'INVALID_ORDER',
      'INVALID_ORDER',
    ]);
    expect(await none.broker.getOrder(ACCOUNT, 'entry')).toBeUndefined();
    expect(none.events).toEqual([]);

    const ocoOnly = await start({ nativeContingent: ['oco'] });
    expect(ocoOnly.broker.capabilities.nativeContingent).toEqual(['oco']);
    expect(codes(await ocoOnly.broker.submitGroup(bracket()))).toEqual([
      'INVALID_ORDER',
      'INVALID_ORDER',
      'INVALID_ORDER',
    ]);
  });

  it('a profile orderTypes list restricts the capabilities and refuses other types (trailing stops)', async () => {
    const v = await start({ orderTypes: ['market', 'limit', 'stop', 'stop_limit'] });
    expect(v.broker.capabilities.orderTypes).toEqual(['market', 'limit', 'stop', 'stop_limit']);
    await v.quote(['99.90', 100], ['100.10', 100], 0);
    const trailing = v.broker.submit({
      accountId: ACCOUNT,
      clientOrderId: 'trail',
      symbol: 'AAPL',
      side: 'sell',
      type: 'trailing_stop',
      quantity: dec(1),
      trailPrice: dec('1.00'),
      timeInForce: 'gtc',
    });
    await expect(trailing).rejects.toBeInstanceOf(BrokerCallError);
    await expect(trailing).rejects.toMatchObject({ code: 'INVALID_ORDER', outcome: 'definitive' });
    expect(await v.broker.getOrder(ACCOUNT, 'trail')).toBeUndefined();
  });
});

describe('a durable venue keeps its groups across a restart', () => {
  it('mid-bracket: after the restart a take-profit fill still cancels the stop-loss', async () => {
    const state = new JsonStateStore();
    const a = await start({}, state);
    await a.quote(['99.90', 100], ['100.10', 100], 0);
    await a.broker.submitGroup(bracket());
    await a.quote(['99.80', 100], ['100.00', 100], 1); // the entry fills; the children work
    expect(a.log('sl')).toEqual(['ack', 'upd held=false,quantity=10']);
    await a.broker.close();

    const b = await start({}, state, a.clock);
    const open = await b.broker.openOrders(ACCOUNT);
    expect(open.map((o) => `${o.clientOrderId} ${o.status} ${o.quantity.toFixed()}`)).toEqual([
      'tp new 10',
      'sl new 10',
    ]);
    await b.quote(['105.00', 100], ['105.10', 100], 2);
    expect(b.log('tp')).toEqual(['fill 10@105 maker']);
    expect(b.log('sl')).toEqual(['cxl']);
    expect(await b.broker.positions(ACCOUNT)).toEqual([]); // flat again
  });

  it('held legs are saved and restored held; the entry fill after the restart activates them', async () => {
    const state = new JsonStateStore();
    const a = await start({}, state);
    await a.quote(['99.90', 100], ['100.10', 100], 0);
    await a.broker.submitGroup(bracket());
    await a.broker.close();

    const b = await start({}, state, a.clock);
    expect((await b.broker.getOrder(ACCOUNT, 'sl'))?.held).toBe(true);
    expect(b.broker.workingOrderCount()).toBe(1);
    await b.quote(['99.90', 100], ['100.10', 100], 1);
    await b.quote(['94.00', 100], ['94.10', 100], 2); // the entry fills, and its stop-loss is in the market
    expect(b.log('entry')).toEqual(['fill 10@100 maker']);
    expect(b.log('sl')).toEqual(['upd held=false,quantity=10', 'trig', 'fill 10@94 taker']);
    expect(b.log('tp')).toEqual(['upd held=false,quantity=10', 'cxl']);
  });

  it('an OCO keeps its group quantity: a fill after the restart resizes the other member', async () => {
    const state = new JsonStateStore();
    const a = await start({}, state);
    await a.quote(['99.90', 100], ['100.10', 100], 0);
    await a.broker.submitGroup({
      orderClass: 'oco',
      accountId: ACCOUNT,
      legs: [
        leg('member', 'a', { side: 'sell', limitPrice: dec('105.00') }),
        leg('member', 'b', { side: 'sell', type: 'stop', stopPrice: dec('95.00') }),
      ],
    });
    await a.broker.replace({ accountId: ACCOUNT, clientOrderId: 'a', changes: { quantity: dec(8) } });
    expect(a.log('b')).toEqual(['ack', 'upd quantity=8']);
    await a.broker.close();

    const b = await start({}, state, a.clock);
    await b.quote(['105.00', 3], ['105.10', 100], 1);
    expect(b.log('a')).toEqual(['fill 3@105 maker']);
    expect(b.log('b')).toEqual(['upd quantity=5']);
  });
});

describe('venue profiles: orderTypes and nativeContingent', () => {
  const venue = (extra: Record<string, unknown>) => ({
    venues: [
      {
        id: 'p',
        name: 'P',
        assetClasses: ['us_equity'],
        accounts: [{ id: 'a', type: 'margin', cash: { USD: '1000' } }],
        ...extra,
      },
    ],
  });

  it('are optional and parsed when given', () => {
    const [plain] = parseVenueProfiles(venue({}), 'test.json');
    expect(plain?.orderTypes).toBeUndefined();
    expect(plain?.nativeContingent).toBeUndefined();
    const [set] = parseVenueProfiles(
      venue({ orderTypes: ['market', 'limit'], nativeContingent: ['oco'] }),
      'test.json',
    );
    expect(set?.orderTypes).toEqual(['market', 'limit']);
    expect(set?.nativeContingent).toEqual(['oco']);
  });

  it.each([
    ['orderTypes', ['market', 'iceberg']],
    ['orderTypes', []],
    ['nativeContingent', ['bracket', 'oso']],
  ])('refuse a bad %s: %j', (field, value) => {
    expect(() => parseVenueProfiles(venue({ [field]: value }), 'test.json')).toThrow(
      new RegExp(`venues\\.0\\.${field}`),
    );
  });
});
