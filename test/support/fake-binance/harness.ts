/**
 * For the ccxt adapter's integration tests: a fake Binance on an msw server and CcxtBrokers on
 * it, with their streams recorded and short request builders.
 */
import type { SetupServer } from 'msw/node';
import { type CcxtBrokerOptions, CcxtBroker } from '../../../src/brokers/ccxt/index.js';
import type { SubmitRequest, VenueEvent } from '../../../src/brokers/broker.js';
import { dec } from '../../../src/domain/decimal.js';
import type { OrderType, Side, TimeInForce } from '../../../src/domain/order.js';
import { FAKE_BINANCE_CREDENTIALS, FakeBinance, type FakeBinanceOptions } from './fake-binance.js';

export interface Connected {
  readonly broker: CcxtBroker;
  readonly events: VenueEvent[];
  /** Event kinds of one order, in order. */
  readonly kinds: (clientOrderId: string) => string[];
  /** Streamed fills as `clientOrderId quantity@price liquidity`. */
  readonly fills: () => string[];
}

/** A broker on the fake, connected, its stream recorded. Polls only when told unless given an interval. */
export async function connect(options: Partial<CcxtBrokerOptions> = {}): Promise<Connected> {
  const broker = new CcxtBroker({
    venue: 'ccxt-binance-paper',
    exchangeId: 'binance',
    mode: 'paper',
    sandbox: true,
    credentials: FAKE_BINANCE_CREDENTIALS,
    pollIntervalMs: 3_600_000,
    enableRateLimit: false,
    ...options,
  });
  const events: VenueEvent[] = [];
  broker.subscribe((e) => events.push(e));
  await broker.connect();
  return {
    broker,
    events,
    kinds: (id) => events.filter((e) => e.event.clientOrderId === id).map((e) => e.event.kind),
    fills: () =>
      events.flatMap((e) =>
        e.event.kind === 'fill'
          ? [
              `${e.event.clientOrderId} ${e.event.fill.quantity.toFixed()}@${e.event.fill.price.toFixed()} ${e.event.fill.liquidity}`,
            ]
          : [],
      ),
  };
}

/** A fake Binance whose handlers the server uses (BTC/USDT at 100.00 / 100.10, 50 a side). */
export function startFake(server: SetupServer, options: FakeBinanceOptions = {}): FakeBinance {
  const fake = new FakeBinance(options);
  server.use(...fake.handlers());
  fake.setQuote('BTC/USDT', { bid: '100.00', ask: '100.10', bidSize: '50', askSize: '50' });
  return fake;
}

export interface OrderExtra {
  readonly limitPrice?: string;
  readonly stopPrice?: string;
  readonly timeInForce?: TimeInForce;
  readonly postOnly?: boolean;
  readonly symbol?: string;
}

/** A BTC/USDT gtc request for account `main`. */
export function order(
  clientOrderId: string,
  side: Side,
  type: OrderType,
  quantity: string,
  extra: OrderExtra = {},
): SubmitRequest {
  return {
    accountId: 'main',
    clientOrderId,
    symbol: extra.symbol ?? 'BTC/USDT',
    side,
    type,
    quantity: dec(quantity),
    timeInForce: extra.timeInForce ?? 'gtc',
    ...(extra.limitPrice === undefined ? {} : { limitPrice: dec(extra.limitPrice) }),
    ...(extra.stopPrice === undefined ? {} : { stopPrice: dec(extra.stopPrice) }),
    ...(extra.postOnly === undefined ? {} : { postOnly: extra.postOnly }),
  };
}

/** One level a side on BTC/USDT. */
export function quote(fake: FakeBinance, bid: string, ask: string, bidSize = '50', askSize = '50'): void {
  fake.setQuote('BTC/USDT', { bid, ask, bidSize, askSize });
}
