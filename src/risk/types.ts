import type { AccountType } from '../domain/account.js';
import type { Decimal } from '../domain/decimal.js';
import type { ErrorCode } from '../domain/errors.js';
import type { AssetClass, Instrument } from '../domain/instrument.js';
import type { OrderSpec } from '../domain/order.js';

/** The trading states of ORDER-SEMANTICS.md §7.4. */
export const TRADING_STATES = ['active', 'reducing', 'halted'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

/** Where a limit is set: for everything, for one account, for one agent. */
export const LIMIT_LEVELS = ['global', 'account', 'agent'] as const;
export type LimitLevel = (typeof LIMIT_LEVELS)[number];

/**
 * Limits at one level. Every field is optional: an unset limit passes. The same fields exist at
 * every level; each level's limit is checked against that level's usage (LevelUsage).
 */
export interface RiskLimits {
  /** Largest notional (quantity × order price) of one order. */
  readonly maxOrderNotional?: Decimal;
  /** Largest notional of the orders accepted since the day started (the agent's daily budget). */
  readonly maxDailyNotional?: Decimal;
  /** Largest |position| in one instrument, in units, counting open same-side orders. */
  readonly maxPositionQuantity?: Decimal;
  /** Largest |position| × reference in one instrument, counting open same-side orders. */
  readonly maxPositionNotional?: Decimal;
  /** Largest position notional in one instrument as a percent of equity (e.g. 20 = 20%). */
  readonly maxPositionPctOfEquity?: Decimal;
  /** Most instruments held (non-flat, or with open opening orders) at once. */
  readonly maxOpenPositions?: number;
  /** Most open orders at once. */
  readonly maxOpenOrders?: number;
  /** Largest gross exposure: Σ |position notional| + open exposure-increasing order notional. */
  readonly maxGrossExposure?: Decimal;
  /** Largest gross exposure per asset class. */
  readonly maxAssetClassExposure?: Readonly<Partial<Record<AssetClass, Decimal>>>;
  /** Largest gross exposure of one sector as a percent of equity (equities with a sector). */
  readonly maxSectorExposurePct?: Decimal;
  /** Largest loss since the day started (a positive amount): equity − start ≤ −limit denies. */
  readonly dailyLossLimit?: Decimal;
  /** Largest fall from the day's equity peak, in percent, before trading halts. */
  readonly maxIntradayDrawdownPct?: Decimal;
  /** Fat-finger band around the reference price, in percent (default 10). */
  readonly priceBandPct?: Decimal;
  /** Oldest usable reference quote while the session is open, ms (default 5000). */
  readonly maxQuoteAgeMs?: number;
  /** Most submits per agent per rolling second (default 20). */
  readonly maxOrdersPerSecond?: number;
  /** Most submits per agent per rolling minute (default 300). */
  readonly maxOrdersPerMinute?: number;
}

/** What one limit level knows about current usage, before the order under check. */
export interface LevelUsage {
  readonly level: LimitLevel;
  /** `*` for global, the account id, or the agent id. */
  readonly scopeId: string;
  readonly limits: RiskLimits;
  /** Signed position in the order's instrument within this level's scope. */
  readonly position: Decimal;
  /** Open leaves on the order's side in the order's instrument, within this scope. */
  readonly sameSideLeaves: Decimal;
  /** Instruments held: non-flat, or with open orders that would open them. */
  readonly openPositions: number;
  /** Whether the order's instrument is among `openPositions` already. */
  readonly holdsInstrument: boolean;
  readonly openOrders: number;
  /** Σ |position notional| + open exposure-increasing order notional, at the reference prices. */
  readonly grossExposure: Decimal;
  /** Gross exposure of the order's asset class. */
  readonly assetClassExposure: Decimal;
  /** Gross exposure of the order's sector (zero when the instrument has none). */
  readonly sectorExposure: Decimal;
  /** Equity in scope (the account's, the sum over all accounts for global; the account's for agent). */
  readonly equity: Decimal;
  /** Equity when the day started; undefined when unknown (the daily loss check passes). */
  readonly startOfDayEquity?: Decimal;
  /** Notional accepted since the day started. */
  readonly dailyNotional: Decimal;
  /** Orders accepted (not denied) within the last second and the last minute. */
  readonly ordersLastSecond: number;
  readonly ordersLastMinute: number;
}

/** The order's account, as its venue reports it plus what its open orders hold. */
export interface AccountRisk {
  readonly accountId: string;
  readonly type: AccountType;
  readonly equity: Decimal;
  /** The venue's buying power, before open orders. */
  readonly buyingPower: Decimal;
  /** Buying power already reserved by the account's open orders (notional plus taker fee). */
  readonly reserved: Decimal;
  /** The venue's taker fee in basis points (the buying-power estimate adds it). */
  readonly takerFeeBps: Decimal;
  /** Day trades within the last five trading days. */
  readonly dayTradeCount: number;
  readonly patternDayTrader: boolean;
  /** Signed position of this account in the instrument. */
  readonly position: Decimal;
  /** Whether that position was opened during today's session. */
  readonly positionOpenedToday: boolean;
  /** Open sell leaves of this account in the instrument (cash accounts sell what they hold). */
  readonly openSellLeaves: Decimal;
  /** Open buy leaves of this account in the instrument. */
  readonly openBuyLeaves: Decimal;
  /**
   * The account's own open orders on the opposite side of the instrument: the best limit price
   * (lowest own sell for a buy, highest own buy for a sell) and how many carry a limit price.
   */
  readonly opposite: { readonly bestLimit?: Decimal; readonly limitOrders: number };
}

/** The reference quote (§6.2 mark) and its age. */
export interface QuoteRisk {
  readonly bid?: Decimal;
  readonly ask?: Decimal;
  readonly last?: Decimal;
  /** When the quote was taken, epoch ms. */
  readonly ts: number;
}

/** Everything the pre-trade checks read: pure data, built by the risk engine. */
export interface RiskInput {
  readonly order: OrderSpec & { readonly accountId: string; readonly agentId: string };
  readonly instrument: Instrument;
  readonly now: number;
  readonly tradingState: TradingState;
  /** Whether the instrument's session is open for this order (extended hours when it asks for them). */
  readonly sessionOpen: boolean;
  /** Undefined when there is no quote at all. */
  readonly quote?: QuoteRisk;
  /** The mark (§6.2): mid of a fresh two-sided quote, else last, else the previous mark. */
  readonly reference?: Decimal;
  /** The order price of §7.1 (limit; stop or trigger; current stop; else the far touch). */
  readonly orderPrice?: Decimal;
  readonly account: AccountRisk;
  /** Usage per level, global first, then account, then agent. */
  readonly levels: readonly LevelUsage[];
  /**
   * A contingent leg held until its group activates it (ORDER-SEMANTICS.md §4): it closes what its
   * entry opens, so it is treated as exposure-reducing (skips REDUCE_ONLY and checks 13–18).
   */
  readonly held?: boolean;
}

/** One check's verdict, as performRiskCheck reports it. */
export interface CheckResult {
  /** The check's name, e.g. `price_band`. */
  readonly name: string;
  readonly passed: boolean;
  /** The code a failure carries (ORDER-SEMANTICS.md §7.2). */
  readonly code: ErrorCode;
  /** The level whose limit decided, for limit checks. */
  readonly level?: LimitLevel;
  /** The limit and the value checked against it, as exact decimal strings. */
  readonly limit?: string;
  readonly actual?: string;
  /** Why it failed (or a note why it was skipped), written for an LLM reader. */
  readonly message?: string;
  /** Skipped because the order reduces exposure, or because there was nothing to check. */
  readonly skipped?: boolean;
}

/** A pre-trade check: a pure function of the input. */
export type RiskCheck = (input: RiskInput, context: CheckContext) => CheckResult;

/** What the runner works out once and every check shares. */
export interface CheckContext {
  /** The order's notional at its order price; undefined without a price. */
  readonly notional?: Decimal;
  /** Whether the order reduces exposure (§7.1). */
  readonly reduces: boolean;
}

export type { Instrument };
