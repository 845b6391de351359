/**
 * Factories for risk tests and the risk benchmark: a default RiskInput that passes every check,
 * overridden per test. Pure values only. Not imported by production code.
 */
import { dec } from '../domain/decimal.js';
import { type Instrument, defineInstrument } from '../domain/instrument.js';
import { checkContext } from './run-checks.js';
import {
  type AccountRisk,
  type CheckResult,
  LIMIT_LEVELS,
  type LevelUsage,
  type LimitLevel,
  type RiskCheck,
  type RiskInput,
} from './types.js';

export const NOW = 1_700_000_000_000;

/** Whole shares, a cent tick and a 1 USD minimum notional, so advice quantities are easy to read. */
export const STOCK: Instrument = defineInstrument({
  symbol: 'AAPL',
  name: 'Apple Inc.',
  assetClass: 'us_equity',
  tickSize: '0.01',
  lotSize: '1',
  minNotional: '1',
  sector: 'Information Technology',
});

/** Every field optional and, unlike Partial under exactOptionalPropertyTypes, clearable with undefined. */
type Loose<T> = { [K in keyof T]?: T[K] | undefined };

export interface RiskInputOverrides extends Loose<Omit<RiskInput, 'order' | 'account' | 'levels'>> {
  readonly order?: Loose<RiskInput['order']>;
  readonly account?: Loose<AccountRisk>;
  /** Per level, merged into that level's default usage. */
  readonly levels?: Partial<Record<LimitLevel, Loose<LevelUsage>>>;
}

const SCOPES: Record<LimitLevel, string> = { global: '*', account: 'acc-1', agent: 'agent-1' };

/** A flat level with no limits and nothing used, 100 000 of equity. */
export function makeLevel(level: LimitLevel, overrides: Loose<LevelUsage> = {}): LevelUsage {
  return compact({
    level,
    scopeId: SCOPES[level],
    limits: {},
    position: dec(0),
    sameSideLeaves: dec(0),
    openPositions: 0,
    holdsInstrument: false,
    openOrders: 0,
    grossExposure: dec(0),
    assetClassExposure: dec(0),
    sectorExposure: dec(0),
    equity: dec(100_000),
    dailyNotional: dec(0),
    ordersLastSecond: 0,
    ordersLastMinute: 0,
    ...overrides,
  });
}

/** A flat margin account with 100 000 of equity, 200 000 of buying power and no fees or open orders. */
export function makeAccountRisk(overrides: Loose<AccountRisk> = {}): AccountRisk {
  return compact({
    accountId: 'acc-1',
    type: 'margin',
    equity: dec(100_000),
    buyingPower: dec(200_000),
    reserved: dec(0),
    takerFeeBps: dec(0),
    dayTradeCount: 0,
    patternDayTrader: false,
    position: dec(0),
    positionOpenedToday: false,
    openSellLeaves: dec(0),
    openBuyLeaves: dec(0),
    opposite: { limitOrders: 0 },
    ...overrides,
  });
}

/**
 * A day buy limit of 10 AAPL at 100 with the reference at 100, a fresh quote, an open session, the
 * active trading state, and no limits set: every check passes. The order price defaults to the limit
 * price, else the reference; pass `orderPrice: undefined` for an order that has none.
 */
export function makeRiskInput(overrides: RiskInputOverrides = {}): RiskInput {
  const { order, account, levels, ...rest } = overrides;
  const fullOrder: RiskInput['order'] = compact({
    symbol: 'AAPL',
    side: 'buy' as const,
    type: 'limit' as const,
    quantity: dec(10),
    timeInForce: 'day' as const,
    limitPrice: dec(100),
    accountId: 'acc-1',
    agentId: 'agent-1',
    ...order,
  });
  const reference = 'reference' in rest ? rest.reference : dec(100);
  const orderPrice = 'orderPrice' in rest ? rest.orderPrice : (fullOrder.limitPrice ?? reference);
  return compact({
    instrument: STOCK,
    now: NOW,
    tradingState: 'active' as const,
    sessionOpen: true,
    quote: { bid: dec('99.99'), ask: dec('100.01'), last: dec(100), ts: NOW - 100 },
    ...rest,
    reference,
    orderPrice,
    order: fullOrder,
    account: makeAccountRisk(account),
    levels: LIMIT_LEVELS.map((level) => makeLevel(level, levels?.[level])),
  });
}

/** Runs one check on an input built from the overrides, with the runner's context. */
export function evaluate(check: RiskCheck, overrides: RiskInputOverrides = {}): CheckResult {
  const input = makeRiskInput(overrides);
  return check(input, checkContext(input));
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** Drops keys whose value is undefined: exactOptionalPropertyTypes forbids them on the result. */
function compact<T extends object>(value: T): Defined<T> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as Defined<T>;
}

/**
 * The checks of ORDER-SEMANTICS.md §7.2 the risk engine runs, in evaluation order, written out by
 * hand (1, 4 and 5 belong to order validation): what every suite checks the order against.
 */
export const EXPECTED_CHECK_ORDER = [
  'symbol_tradable',
  'trading_halted',
  'market_closed',
  'stale_quote',
  'price_band',
  'min_notional',
  'reduce_only',
  'wash_trade',
  'pattern_day_trader',
  'order_notional',
  'daily_notional',
  'position_limit',
  'open_positions',
  'open_orders',
  'exposure',
  'daily_loss',
  'buying_power',
  'rate_limit',
] as const;
