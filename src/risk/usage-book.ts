import type { AccountType } from '../domain/account.js';
import { BPS, type Decimal, ONE, ZERO, maxDec, minDec } from '../domain/decimal.js';
import type { Instrument } from '../domain/instrument.js';
import { type Order, type Side, isOpen } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { AccountRisk, LevelUsage, RiskLimits } from './types.js';

/** Open orders of one account, agent, instrument and side, as the store aggregates them. */
export interface OpenOrderGroup {
  readonly accountId: string;
  readonly agentId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly count: number;
  readonly leaves: Decimal;
  /** Σ leaves × the price each order was admitted at. */
  readonly notional: Decimal;
  /** Orders with a limit price, and the best of those prices for the other side to meet. */
  readonly limitOrders: number;
  readonly bestLimit?: Decimal;
}

/** An agent's accepted orders in one account: within the rate windows and since the day started. */
export interface AgentActivity {
  readonly agentId: string;
  readonly accountId: string;
  readonly lastSecond: number;
  readonly lastMinute: number;
  /** When the latest of the counted orders was created (epoch ms): the windows drop them after it. */
  readonly latestAt?: number;
  readonly dailyNotional: Decimal;
}

/** One account as its venue reports it. */
export interface AccountFacts {
  readonly accountId: string;
  readonly type: AccountType;
  readonly equity: Decimal;
  readonly buyingPower: Decimal;
  readonly takerFeeBps: Decimal;
  readonly dayTradeCount: number;
  readonly patternDayTrader: boolean;
  readonly startOfDayEquity?: Decimal;
  /** When this account's trading day started (epoch ms). */
  readonly dayStart: number;
}

/** The limits of every level: global, per account, per agent. */
export interface LimitTable {
  readonly global: RiskLimits;
  readonly accounts: ReadonlyMap<string, RiskLimits>;
  /** An agent's limits: its card's, under what setRiskLimits set for it. */
  readonly agent: (agentId: string) => RiskLimits;
}

export interface UsageSources {
  readonly positions: readonly Position[];
  readonly groups: readonly OpenOrderGroup[];
  readonly activity: readonly AgentActivity[];
  readonly accounts: readonly AccountFacts[];
  readonly limits: LimitTable;
  readonly instrumentOf: (symbol: string) => Instrument | undefined;
  /** The reference price (mark) of an instrument; undefined when there is none. */
  readonly reference: (symbol: string) => Decimal | undefined;
}

/** What an accepted order adds to usage. */
export interface AcceptedOrder {
  readonly accountId: string;
  readonly agentId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly limitPrice?: Decimal;
  /** The order price it was admitted at. */
  readonly price: Decimal;
}

interface SideStat {
  count: number;
  leaves: Decimal;
  notional: Decimal;
  limitOrders: number;
  bestLimit: Decimal | undefined;
}

interface SymbolStat {
  position: Decimal;
  openedAt: number | undefined;
  readonly buy: SideStat;
  readonly sell: SideStat;
}

interface AgentStat {
  openOrders: number;
  lastSecond: number;
  lastMinute: number;
  dailyNotional: Decimal;
}

/** An account's totals, worked out once and again after each order it accepts. */
interface AccountTotals {
  readonly gross: Decimal;
  readonly byClass: ReadonlyMap<string, Decimal>;
  readonly bySector: ReadonlyMap<string, Decimal>;
  readonly held: ReadonlySet<string>;
  readonly openOrders: number;
  readonly reserved: Decimal;
}

const NO_LIMITS: RiskLimits = {};

/**
 * Whether a change to an order can raise the usage admissions count (RiskEngine.usageRaised):
 * it starts counting as open (a held leg released, a status the engine inferred re-opened), or its
 * quantity or its price rises (a confirmed replace counts at its new size in the day's notional; a
 * trailing stop's stop moves). Fills, cancels, expiries and rejections only lower it.
 */
export function raisesUsage(before: Order, after: Order): boolean {
  const counted = (o: Order): boolean => isOpen(o.status) && !o.held;
  if (counted(after) && !counted(before)) return true;
  if (after.quantity.greaterThan(before.quantity)) return true;
  const price = priceOf(after);
  const was = priceOf(before);
  return price !== undefined && (was === undefined || price.greaterThan(was));
}

/** The highest of an order's own prices (what the store values its quantity at, with the admission's). */
function priceOf(o: Order): Decimal | undefined {
  let best: Decimal | undefined;
  for (const p of [o.limitPrice, o.stopPrice, o.triggerPrice, o.currentStop]) {
    if (p !== undefined && (best === undefined || p.greaterThan(best))) best = p;
  }
  return best;
}

/**
 * Usage of every limit level, built from the store's aggregates and the venues' accounts at the
 * start of an admission, then kept current as each order of the admission is accepted: the orders
 * of one admission are checked one after another against what the earlier ones took.
 */
export class UsageBook {
  private readonly symbols = new Map<string, Map<string, SymbolStat>>();
  private readonly agents = new Map<string, AgentStat>();
  /** Activity per account (all agents), for the account level's daily notional and rates. */
  private readonly accountActivity = new Map<string, AgentStat>();
  private readonly facts = new Map<string, AccountFacts>();
  private readonly totals = new Map<string, AccountTotals>();

  constructor(private readonly sources: UsageSources) {
    for (const a of sources.accounts) this.facts.set(a.accountId, a);
    for (const p of sources.positions) {
      const stat = this.stat(p.accountId, p.symbol);
      stat.position = p.quantity;
      stat.openedAt = p.openedAt;
    }
    for (const g of sources.groups) {
      addToSide(this.stat(g.accountId, g.symbol)[g.side], g.side, g);
      this.agent(g.agentId).openOrders += g.count;
    }
    for (const a of sources.activity) {
      for (const target of [this.agent(a.agentId), this.activityOf(a.accountId)]) {
        target.lastSecond += a.lastSecond;
        target.lastMinute += a.lastMinute;
        target.dailyNotional = target.dailyNotional.plus(a.dailyNotional);
      }
    }
  }

  /** The order's account, for buying power, PDT, wash trades and whether it reduces exposure. */
  account(order: { accountId: string; symbol: string; side: Side }, now: number): AccountRisk {
    const facts = this.factsOf(order.accountId);
    const stat = this.symbols.get(order.accountId)?.get(order.symbol);
    const position = stat?.position ?? ZERO;
    return {
      accountId: order.accountId,
      type: facts.type,
      equity: facts.equity,
      buyingPower: facts.buyingPower,
      reserved: this.totalsOf(order.accountId).reserved,
      takerFeeBps: facts.takerFeeBps,
      dayTradeCount: facts.dayTradeCount,
      patternDayTrader: facts.patternDayTrader,
      position,
      positionOpenedToday:
        !position.isZero() &&
        stat?.openedAt !== undefined &&
        stat.openedAt >= facts.dayStart &&
        stat.openedAt <= now,
      openSellLeaves: stat?.sell.leaves ?? ZERO,
      openBuyLeaves: stat?.buy.leaves ?? ZERO,
      opposite: oppositeOf(stat, order.side),
    };
  }

  /** Usage at each level for an order: global, its account, its agent. */
  levels(
    order: { accountId: string; agentId: string; symbol: string; side: Side },
    instrument: Instrument,
  ): LevelUsage[] {
    const limits = this.sources.limits;
    const account = this.accountLevel(order, instrument);
    const agent = this.agents.get(order.agentId);
    return [
      this.globalLevel(order, instrument),
      account,
      {
        ...account,
        level: 'agent',
        scopeId: order.agentId,
        limits: limits.agent(order.agentId),
        openOrders: agent?.openOrders ?? 0,
        dailyNotional: agent?.dailyNotional ?? ZERO,
        ordersLastSecond: agent?.lastSecond ?? 0,
        ordersLastMinute: agent?.lastMinute ?? 0,
      },
    ];
  }

  /** Counts an accepted order in every level's usage. */
  accept(order: AcceptedOrder): void {
    const notional = order.quantity.times(order.price);
    addToSide(this.stat(order.accountId, order.symbol)[order.side], order.side, {
      count: 1,
      leaves: order.quantity,
      notional,
      limitOrders: order.limitPrice === undefined ? 0 : 1,
      ...(order.limitPrice === undefined ? {} : { bestLimit: order.limitPrice }),
    });
    for (const target of [this.agent(order.agentId), this.activityOf(order.accountId)]) {
      target.lastSecond += 1;
      target.lastMinute += 1;
      target.dailyNotional = target.dailyNotional.plus(notional);
    }
    this.agent(order.agentId).openOrders += 1;
    this.totals.delete(order.accountId);
  }

  private accountLevel(
    order: { accountId: string; symbol: string; side: Side },
    instrument: Instrument,
  ): LevelUsage {
    const facts = this.factsOf(order.accountId);
    const totals = this.totalsOf(order.accountId);
    const stat = this.symbols.get(order.accountId)?.get(order.symbol);
    const activity = this.accountActivity.get(order.accountId);
    return {
      level: 'account',
      scopeId: order.accountId,
      limits: this.sources.limits.accounts.get(order.accountId) ?? NO_LIMITS,
      position: stat?.position ?? ZERO,
      sameSideLeaves: stat?.[order.side].leaves ?? ZERO,
      openPositions: totals.held.size,
      holdsInstrument: totals.held.has(order.symbol),
      openOrders: totals.openOrders,
      grossExposure: totals.gross,
      assetClassExposure: totals.byClass.get(instrument.assetClass) ?? ZERO,
      sectorExposure:
        instrument.sector === undefined ? ZERO : (totals.bySector.get(instrument.sector) ?? ZERO),
      equity: facts.equity,
      ...(facts.startOfDayEquity === undefined ? {} : { startOfDayEquity: facts.startOfDayEquity }),
      dailyNotional: activity?.dailyNotional ?? ZERO,
      ordersLastSecond: activity?.lastSecond ?? 0,
      ordersLastMinute: activity?.lastMinute ?? 0,
    };
  }

  private globalLevel(order: { symbol: string; side: Side }, instrument: Instrument): LevelUsage {
    let position = ZERO;
    let sameSide = ZERO;
    let gross = ZERO;
    let byClass = ZERO;
    let bySector = ZERO;
    let openOrders = 0;
    let equity = ZERO;
    let startOfDay: Decimal | undefined = ZERO;
    let dailyNotional = ZERO;
    let lastSecond = 0;
    let lastMinute = 0;
    const held = new Set<string>();
    for (const accountId of this.accountIds()) {
      const stat = this.symbols.get(accountId)?.get(order.symbol);
      position = position.plus(stat?.position ?? ZERO);
      sameSide = sameSide.plus(stat?.[order.side].leaves ?? ZERO);
      const totals = this.totalsOf(accountId);
      gross = gross.plus(totals.gross);
      byClass = byClass.plus(totals.byClass.get(instrument.assetClass) ?? ZERO);
      if (instrument.sector !== undefined)
        bySector = bySector.plus(totals.bySector.get(instrument.sector) ?? ZERO);
      openOrders += totals.openOrders;
      for (const symbol of totals.held) held.add(symbol);
      const facts = this.facts.get(accountId);
      equity = equity.plus(facts?.equity ?? ZERO);
      startOfDay =
        startOfDay === undefined || facts?.startOfDayEquity === undefined
          ? undefined
          : startOfDay.plus(facts.startOfDayEquity);
      const activity = this.accountActivity.get(accountId);
      dailyNotional = dailyNotional.plus(activity?.dailyNotional ?? ZERO);
      lastSecond += activity?.lastSecond ?? 0;
      lastMinute += activity?.lastMinute ?? 0;
    }
    return {
      level: 'global',
      scopeId: '*',
      limits: this.sources.limits.global,
      position,
      sameSideLeaves: sameSide,
      openPositions: held.size,
      holdsInstrument: held.has(order.symbol),
      openOrders,
      grossExposure: gross,
      assetClassExposure: byClass,
      sectorExposure: bySector,
      equity,
      ...(startOfDay === undefined ? {} : { startOfDayEquity: startOfDay }),
      dailyNotional,
      ordersLastSecond: lastSecond,
      ordersLastMinute: lastMinute,
    };
  }

  private accountIds(): Set<string> {
    return new Set([...this.facts.keys(), ...this.symbols.keys(), ...this.accountActivity.keys()]);
  }

  private totalsOf(accountId: string): AccountTotals {
    let totals = this.totals.get(accountId);
    if (totals === undefined) {
      totals = this.computeTotals(accountId);
      this.totals.set(accountId, totals);
    }
    return totals;
  }

  private computeTotals(accountId: string): AccountTotals {
    const feeFactor = ONE.plus((this.facts.get(accountId)?.takerFeeBps ?? ZERO).div(BPS));
    const margin = this.facts.get(accountId)?.type === 'margin';
    let gross = ZERO;
    let reserved = ZERO;
    let openOrders = 0;
    const byClass = new Map<string, Decimal>();
    const bySector = new Map<string, Decimal>();
    const held = new Set<string>();
    for (const [symbol, stat] of this.symbols.get(accountId) ?? []) {
      openOrders += stat.buy.count + stat.sell.count;
      const q = stat.position;
      const buyIncreasing = beyond(stat.buy, q.isNegative() ? q.abs() : ZERO);
      const sellIncreasing = beyond(stat.sell, q.isPositive() ? q : ZERO);
      const reference =
        this.sources.reference(symbol) ??
        stat.buy.notional.div(stat.buy.leaves.isZero() ? ONE : stat.buy.leaves);
      const exposure = q.abs().times(reference).plus(buyIncreasing.notional).plus(sellIncreasing.notional);
      gross = gross.plus(exposure);
      if (!q.isZero() || buyIncreasing.leaves.isPositive() || sellIncreasing.leaves.isPositive())
        held.add(symbol);
      reserved = reserved.plus(stat.buy.notional.times(feeFactor));
      if (margin) reserved = reserved.plus(sellIncreasing.notional.times(feeFactor));
      const instrument = this.sources.instrumentOf(symbol);
      if (instrument !== undefined) {
        byClass.set(instrument.assetClass, (byClass.get(instrument.assetClass) ?? ZERO).plus(exposure));
        if (instrument.sector !== undefined)
          bySector.set(instrument.sector, (bySector.get(instrument.sector) ?? ZERO).plus(exposure));
      }
    }
    return { gross, byClass, bySector, held, openOrders, reserved };
  }

  private factsOf(accountId: string): AccountFacts {
    return (
      this.facts.get(accountId) ?? {
        accountId,
        type: 'cash',
        equity: ZERO,
        buyingPower: ZERO,
        takerFeeBps: ZERO,
        dayTradeCount: 0,
        patternDayTrader: false,
        dayStart: 0,
      }
    );
  }

  private stat(accountId: string, symbol: string): SymbolStat {
    let bySymbol = this.symbols.get(accountId);
    if (bySymbol === undefined) {
      bySymbol = new Map();
      this.symbols.set(accountId, bySymbol);
    }
    let stat = bySymbol.get(symbol);
    if (stat === undefined) {
      stat = { position: ZERO, openedAt: undefined, buy: emptySide(), sell: emptySide() };
      bySymbol.set(symbol, stat);
    }
    return stat;
  }

  private agent(agentId: string): AgentStat {
    return getOrCreate(this.agents, agentId);
  }

  private activityOf(accountId: string): AgentStat {
    return getOrCreate(this.accountActivity, accountId);
  }
}

function getOrCreate(map: Map<string, AgentStat>, key: string): AgentStat {
  let stat = map.get(key);
  if (stat === undefined) {
    stat = { openOrders: 0, lastSecond: 0, lastMinute: 0, dailyNotional: ZERO };
    map.set(key, stat);
  }
  return stat;
}

function emptySide(): SideStat {
  return { count: 0, leaves: ZERO, notional: ZERO, limitOrders: 0, bestLimit: undefined };
}

/** Two groups of open orders of one account, agent, instrument and side, as one. */
export function combineGroups(a: OpenOrderGroup, b: OpenOrderGroup): OpenOrderGroup {
  const stat: SideStat = { ...a, bestLimit: a.bestLimit };
  addToSide(stat, a.side, b);
  const { bestLimit, count, leaves, notional, limitOrders } = stat;
  return {
    accountId: a.accountId,
    agentId: a.agentId,
    symbol: a.symbol,
    side: a.side,
    count,
    leaves,
    notional,
    limitOrders,
    ...(bestLimit === undefined ? {} : { bestLimit }),
  };
}

/** Adds open orders to a side; the best limit is the highest buy or the lowest sell. */
function addToSide(
  stat: SideStat,
  side: Side,
  g: Pick<OpenOrderGroup, 'count' | 'leaves' | 'notional' | 'limitOrders' | 'bestLimit'>,
): void {
  stat.count += g.count;
  stat.leaves = stat.leaves.plus(g.leaves);
  stat.notional = stat.notional.plus(g.notional);
  stat.limitOrders += g.limitOrders;
  if (g.bestLimit === undefined) return;
  stat.bestLimit =
    stat.bestLimit === undefined
      ? g.bestLimit
      : side === 'buy'
        ? maxDec(stat.bestLimit, g.bestLimit)
        : minDec(stat.bestLimit, g.bestLimit);
}

/**
 * The part of a side's open leaves beyond what closing the position can absorb (those orders add
 * exposure), with its share of the side's notional.
 */
function beyond(side: SideStat, capacity: Decimal): { leaves: Decimal; notional: Decimal } {
  if (side.leaves.isZero()) return { leaves: ZERO, notional: ZERO };
  const leaves = maxDec(ZERO, side.leaves.minus(capacity));
  return { leaves, notional: side.notional.times(leaves).div(side.leaves) };
}

/** For an order of `side`: the own opposite orders' best limit (lowest sell for a buy, highest buy for a sell). */
function oppositeOf(stat: SymbolStat | undefined, side: Side): AccountRisk['opposite'] {
  const other = side === 'buy' ? stat?.sell : stat?.buy;
  if (other === undefined || other.limitOrders === 0) return { limitOrders: 0 };
  return other.bestLimit === undefined
    ? { limitOrders: other.limitOrders }
    : { limitOrders: other.limitOrders, bestLimit: other.bestLimit };
}
