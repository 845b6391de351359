import type { Broker } from '../brokers/broker.js';
import type { Clock } from '../domain/clock.js';
import { type Decimal, ZERO, dec, maxDec } from '../domain/decimal.js';
import { limitsFromJson } from '../risk/limits.js';
import { type PortfolioMetrics, portfolioMetrics as computeMetrics } from '../risk/portfolio-metrics.js';
import type { RiskLimits, TradingState } from '../risk/types.js';
import type { EventBus, RiskAlert } from './event-bus.js';
import type { LongCommandOptions, OrderService } from './order-service.js';
import type { StoredOrder } from './ports.js';
import type { RiskEngine } from './risk-engine.js';
import type { EquitySnapshot, RiskStore, TradingStateRecord } from './risk-ports.js';
import { dayStartOf } from './trading-day.js';

export interface RiskControlsDeps {
  readonly engine: RiskEngine;
  readonly service: OrderService;
  readonly store: RiskStore;
  readonly brokers: readonly Broker[];
  readonly clock: Clock;
  readonly bus: EventBus;
  /** How often an equity snapshot is recorded per account (ms); default one minute. */
  readonly snapshotEveryMs?: number;
}

const DAY_MS = 86_400_000;
const STRICTNESS: Record<TradingState, number> = { active: 0, reducing: 1, halted: 2 };
const ALERTS_KEPT = 50;
const HUNDRED = dec(100);

/**
 * The kill switch and the monitors: emergencyStop and resumeTrading for operators; on every tick,
 * equity snapshots, each account's start-of-day equity, and the automatic moves of §7.4: a daily
 * loss beyond `dailyLossLimit` moves trading to `reducing`, a fall from the day's equity peak
 * beyond `maxIntradayDrawdownPct` halts it. Automatic moves only ever tighten the state.
 */
export class RiskControls {
  private readonly recent: RiskAlert[] = [];
  private readonly peaks = new Map<string, { dayStart: number; peak: Decimal }>();
  private readonly lastSnapshot = new Map<string, number>();
  private alertSeq = 0;

  constructor(private readonly deps: RiskControlsDeps) {}

  /** The latest alerts, newest last. */
  alerts(): readonly RiskAlert[] {
    return this.recent;
  }

  /**
   * Halts trading, then cancels every open order (unless told not to) and, when asked, closes every
   * position with reduce-only market orders (they pass the halt; nothing else does).
   */
  async emergencyStop(
    input: { reason: string; cancelOrders?: boolean; flatten?: boolean; actor: string },
    options: LongCommandOptions = {},
  ): Promise<{ tradingState: TradingStateRecord; canceled: StoredOrder[]; closing: StoredOrder[] }> {
    const tradingState = await this.changeState('halted', `emergency stop: ${input.reason}`, input.actor);
    const canceled = input.cancelOrders === false ? [] : await this.deps.service.cancelAll({}, options);
    const closing =
      input.flatten === true
        ? await this.deps.service.closeAllPositions(
            { agentId: input.actor, reason: `emergency stop: ${input.reason}`, flatten: true },
            options,
          )
        : [];
    return { tradingState, canceled, closing };
  }

  /** Moves trading back to `active` or `reducing`. */
  resumeTrading(input: {
    state: 'active' | 'reducing';
    reason: string;
    actor: string;
  }): Promise<TradingStateRecord> {
    return this.changeState(input.state, input.reason, input.actor);
  }

  /**
   * Portfolio risk metrics over the recorded equity (all accounts summed per snapshot): historical
   * VaR and expected shortfall at 95% and 99% and the Sharpe ratio from daily returns (the last
   * snapshot of each UTC day, 252 periods a year), drawdowns from every snapshot.
   */
  async portfolioMetrics(lookbackDays = 365): Promise<PortfolioMetrics> {
    const now = this.deps.clock.now();
    const rows = await this.deps.store.equitySince(now - lookbackDays * DAY_MS);
    const totals = new Map<number, Decimal>();
    for (const r of rows) totals.set(r.at, (totals.get(r.at) ?? ZERO).plus(r.equity));
    const series = [...totals].sort((a, b) => a[0] - b[0]).map(([at, equity]) => ({ at, equity }));
    const daily = new Map<number, { at: number; equity: Decimal }>();
    for (const s of series) daily.set(Math.floor(s.at / DAY_MS), s);
    const fromDaily = computeMetrics([...daily.values()]);
    const intraday = computeMetrics(series);
    return {
      ...fromDaily,
      ...(intraday.maxDrawdown === undefined ? {} : { maxDrawdown: intraday.maxDrawdown }),
      ...(intraday.currentDrawdown === undefined ? {} : { currentDrawdown: intraday.currentDrawdown }),
    };
  }

  /** One monitoring pass: snapshots, start of day, daily loss and drawdown. */
  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    const accounts = await this.snapshot(now);
    const limits = await this.deps.store.limits();
    const global = limitsFromJson(limits.find((l) => l.level === 'global')?.limits);
    const byAccount = new Map(
      limits.filter((l) => l.level === 'account').map((l) => [l.scopeId, limitsFromJson(l.limits)]),
    );
    let total = ZERO;
    let totalStart: Decimal | undefined = ZERO;
    let totalPeak = ZERO;
    for (const a of accounts) {
      total = total.plus(a.equity);
      totalStart = a.start === undefined || totalStart === undefined ? undefined : totalStart.plus(a.start);
      totalPeak = totalPeak.plus(a.peak);
      await this.judge(a.accountId, byAccount.get(a.accountId) ?? {}, a.equity, a.start, a.peak);
    }
    if (accounts.length > 0) await this.judge('*', global, total, totalStart, totalPeak);
  }

  /** Records snapshots (at most one per account per interval) and keeps start of day and peaks. */
  private async snapshot(
    now: number,
  ): Promise<{ accountId: string; equity: Decimal; start?: Decimal; peak: Decimal }[]> {
    const every = this.deps.snapshotEveryMs ?? 60_000;
    const out: { accountId: string; equity: Decimal; start?: Decimal; peak: Decimal }[] = [];
    const due: EquitySnapshot[] = [];
    for (const broker of this.deps.brokers) {
      const dayStart = dayStartOf(now, broker.capabilities.assetClasses.includes('us_equity'));
      for (const a of await broker.accounts()) {
        const last = this.lastSnapshot.get(a.accountId);
        if (last === undefined || now - last >= every || last < dayStart) {
          due.push({ accountId: a.accountId, at: now, equity: a.equity, cash: a.cash });
          this.lastSnapshot.set(a.accountId, now);
        }
        const start = await this.startOfDay(a.accountId, dayStart, a.equity, now);
        const peak = await this.peak(a.accountId, dayStart, a.equity);
        out.push({ accountId: a.accountId, equity: a.equity, start, peak });
      }
    }
    await this.deps.store.recordEquity(due);
    return out;
  }

  /** The first snapshot of the day, else this moment's equity (recorded as the day's first). */
  private async startOfDay(
    accountId: string,
    dayStart: number,
    equity: Decimal,
    now: number,
  ): Promise<Decimal> {
    const known = this.deps.engine.startOfDayEquity(accountId, dayStart);
    if (known !== undefined) return known;
    const [first] = await this.deps.store.equitySince(dayStart, accountId);
    const start = first?.equity ?? equity;
    if (first === undefined) await this.deps.store.recordEquity([{ accountId, at: now, equity, cash: ZERO }]);
    this.deps.engine.setStartOfDay(accountId, dayStart, start);
    return start;
  }

  /** The highest equity since the day started, this moment's included. */
  private async peak(accountId: string, dayStart: number, equity: Decimal): Promise<Decimal> {
    let known = this.peaks.get(accountId);
    if (known?.dayStart !== dayStart) {
      const snapshots = await this.deps.store.equitySince(dayStart, accountId);
      known = { dayStart, peak: snapshots.reduce((m, s) => maxDec(m, s.equity), equity) };
    }
    known = { dayStart, peak: maxDec(known.peak, equity) };
    this.peaks.set(accountId, known);
    return known.peak;
  }

  /** Tightens the trading state when a level's daily loss or drawdown limit is breached. */
  private async judge(
    scope: string,
    limits: RiskLimits,
    equity: Decimal,
    start: Decimal | undefined,
    peak: Decimal,
  ): Promise<void> {
    const where = scope === '*' ? 'across all accounts' : `in account ${scope}`;
    if (limits.maxIntradayDrawdownPct !== undefined && peak.isPositive()) {
      const drawdown = peak.minus(equity).div(peak).times(HUNDRED);
      if (drawdown.greaterThanOrEqualTo(limits.maxIntradayDrawdownPct)) {
        await this.escalate('halted', 'drawdown', {
          message: `Intraday drawdown ${drawdown.toDecimalPlaces(4).toFixed()}% ${where} reached the limit ${limits.maxIntradayDrawdownPct.toFixed()}%: trading is halted.`,
          details: {
            scope,
            drawdownPct: drawdown.toFixed(),
            limitPct: limits.maxIntradayDrawdownPct.toFixed(),
            peak: peak.toFixed(),
            equity: equity.toFixed(),
          },
        });
      }
    }
    if (limits.dailyLossLimit !== undefined && start !== undefined) {
      const change = equity.minus(start);
      if (change.lessThanOrEqualTo(limits.dailyLossLimit.negated())) {
        await this.escalate('reducing', 'daily_loss', {
          message: `Daily loss ${change.negated().toFixed()} ${where} reached the limit ${limits.dailyLossLimit.toFixed()}: only exposure-reducing orders are accepted until a risk admin resumes trading.`,
          details: {
            scope,
            loss: change.negated().toFixed(),
            limit: limits.dailyLossLimit.toFixed(),
            startOfDayEquity: start.toFixed(),
            equity: equity.toFixed(),
          },
        });
      }
    }
  }

  private async escalate(
    state: TradingState,
    kind: RiskAlert['kind'],
    alert: { message: string; details: Record<string, unknown> },
  ): Promise<void> {
    const current = await this.deps.engine.refreshState();
    if (STRICTNESS[current.state] >= STRICTNESS[state]) return;
    await this.deps.engine.setTradingState(state, alert.message, 'risk-monitor');
    this.publish(kind, 'critical', state, alert.message, alert.details);
  }

  private async changeState(state: TradingState, reason: string, actor: string): Promise<TradingStateRecord> {
    const before = await this.deps.engine.refreshState();
    const record = await this.deps.engine.setTradingState(state, reason, actor);
    this.publish(
      'trading_state',
      state === 'halted' ? 'critical' : 'warning',
      state,
      `Trading state ${before.state} -> ${state} by ${actor}: ${reason}`,
      { from: before.state, to: state, actor },
    );
    return record;
  }

  private publish(
    kind: RiskAlert['kind'],
    severity: RiskAlert['severity'],
    tradingState: TradingState,
    message: string,
    details: Record<string, unknown>,
  ): void {
    const alert: RiskAlert = {
      id: `alert-${this.deps.clock.now()}-${++this.alertSeq}`,
      at: this.deps.clock.now(),
      kind,
      severity,
      message,
      tradingState,
      details,
    };
    this.recent.push(alert);
    if (this.recent.length > ALERTS_KEPT) this.recent.shift();
    this.deps.bus.publish('trade.risk.alert', { alert });
  }
}
