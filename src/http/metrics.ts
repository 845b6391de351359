import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RiskControls } from '../engine/risk-controls.js';
import type { RiskEngine } from '../engine/risk-engine.js';
import type { Decimal } from '../domain/decimal.js';
import type { PortfolioMetrics, TailRisk } from '../risk/portfolio-metrics.js';
import { type Broker, type VenueAccount, withDeadline } from '../brokers/broker.js';
import { sumDec } from '../domain/decimal.js';
import { IN_FLIGHT_STATUSES, type Order } from '../domain/order.js';
import type { EventBus, Topic } from '../engine/event-bus.js';
import type { OrderService } from '../engine/order-service.js';

/** What the metrics read: the bus for order transitions, the service and the venues at scrape time. */
export interface TradingMetricsDeps {
  readonly bus: EventBus;
  readonly service: Pick<OrderService, 'positions' | 'portfolio'>;
  readonly venues: readonly Pick<Broker, 'venue' | 'accounts'>[];
  /** How long a scrape waits for a venue's account report before calling the venue down. */
  readonly venueTimeoutMs?: number;
  /** Node.js process metrics in the same registry (default true); see the constructor. */
  readonly processMetrics?: boolean;
  /** The risk engine: the trading state, the day's P&L and the portfolio risk metrics. */
  readonly risk?: {
    readonly engine: Pick<RiskEngine, 'tradingState' | 'usageReport'>;
    readonly controls: Pick<RiskControls, 'portfolioMetrics'>;
  };
}

const STATE_VALUE = { active: 0, reducing: 1, halted: 2 } as const;

/** How many orders' per-order state (counted transitions, submit times) is kept, least recently used first out. */
const TRACKED_ORDERS = 20_000;
/** Submit-to-answer latency, 0.5 ms (an in-process venue) to 10 s (a slow broker's REST call). */
const LATENCY_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/** Each counted topic and the status it counts (the contract's spelling: canceled, partially_filled). */
const COUNTED = [
  ['trade.order.submitted', 'submitted'],
  ['trade.order.filled', 'filled'],
  ['trade.order.partial', 'partially_filled'],
  ['trade.order.rejected', 'rejected'],
  ['trade.order.cancelled', 'canceled'],
  ['trade.order.expired', 'expired'],
] as const satisfies readonly (readonly [Topic, string])[];
type CountedStatus = (typeof COUNTED)[number][1];

type Sample<L extends string> = { readonly labels: Partial<Record<L, string>>; readonly value: number };

interface VenueReport {
  readonly venue: string;
  /** Undefined when the venue did not answer within the timeout. */
  readonly accounts?: readonly VenueAccount[];
  readonly latencyMs?: number;
}

/**
 * The Prometheus metrics of one trading core, in a registry of its own (never prom-client's global
 * one), so that tests and several app instances never meet. Order counters and latency follow the
 * bus; the gauges are read from the service and the venues when scraped.
 *
 * Decimals become binary floats here and only here: Prometheus samples are float64, and nothing
 * computes with these numbers after the conversion.
 */
export class TradingMetrics {
  readonly registry = new Registry();
  private readonly deps: TradingMetricsDeps;
  private readonly unsubscribes: (() => void)[] = [];
  /** `orderId|status` already counted: a status an order re-enters (or a repeated fill) counts once. */
  private readonly counted = new LRUCache<string, true>({ max: TRACKED_ORDERS });
  private readonly submittedAt = new LRUCache<string, number>({ max: TRACKED_ORDERS });
  private readonly orders: Counter<'status'>;
  private readonly latency: Histogram;
  private readonly errors: Counter<'metric'>;
  private probe: Promise<readonly VenueReport[]> | undefined;
  /** The scrape-time gauges' names, and their reads under way. */
  private readonly gauges: string[] = [];
  private readonly refreshing = new Set<Promise<void>>();

  /**
   * Process metrics keep prom-client's standard names (process_cpu_seconds_total,
   * nodejs_eventloop_lag_seconds, ...) without a prefix: the usual Node.js dashboards and alerts
   * find them as they are, and Prometheus's job/instance labels already say which server it is.
   * Each call installs an event-loop monitor and a GC observer that live as long as the process,
   * so a second instance in one process (tests) may turn them off.
   */
  constructor(deps: TradingMetricsDeps) {
    this.deps = deps;
    const registers = [this.registry];
    this.orders = new Counter({
      name: 'trading_orders_total',
      help: 'Order transitions by status: submitted to a venue, then filled, partially_filled, rejected, canceled, expired.',
      labelNames: ['status'],
      registers,
    });
    // Every status from the start, so that rate() sees the first increment of each.
    for (const [, status] of COUNTED) this.orders.inc({ status }, 0);
    this.latency = new Histogram({
      name: 'trading_order_latency_ms',
      help: "Milliseconds from an order's submission to the venue's first answer (ack, fill or rejection).",
      buckets: LATENCY_BUCKETS_MS,
      registers,
    });
    this.defineGauges();
    // Registered after the gauges, so that a scrape shows the failures of its own gauge reads.
    this.errors = new Counter({
      name: 'trading_metrics_errors_total',
      help: 'Scrapes that left a gauge out because its source failed.',
      labelNames: ['metric'],
      registers,
      collect: async () => {
        await Promise.all(this.refreshing);
      },
    });
    for (const metric of this.gauges) this.errors.inc({ metric }, 0);
    if (deps.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.subscribe(deps.bus);
  }

  /** The exposition text and its content type, for GET /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops following the bus; the registry still renders what it counted. */
  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.submittedAt.clear();
  }

  // ------------------------------------------------------------------ order flow

  /**
   * Latency is timed with performance.now() from trade.order.submitted to the order's first later
   * event, not from the Order's timestamps: createdAt/updatedAt are on the trading clock, which a
   * simulated clock does not move while a command runs (and which replays shift), and venue times
   * come from another machine's clock. The monotonic clock measures what an operator waits for.
   * The start is when the intent is durable and about to be sent (validation, risk and the write
   * come before), the end when the engine has applied the answer.
   */
  private subscribe(bus: EventBus): void {
    for (const [topic, status] of COUNTED) {
      this.unsubscribes.push(
        bus.subscribe(topic, ({ order }) => {
          this.count(order, status);
          if (status === 'submitted') this.submittedAt.set(order.id, performance.now());
          else this.answered(order);
        }),
      );
    }
    this.unsubscribes.push(
      bus.subscribe('trade.order.updated', ({ order }) => {
        // pending_cancel / pending_replace are our own requests, not the venue's answer.
        if (!IN_FLIGHT_STATUSES.has(order.status)) this.answered(order);
      }),
    );
  }

  private count(order: Order, status: CountedStatus): void {
    const key = `${order.id}|${status}`;
    if (this.counted.get(key) === true) return;
    this.counted.set(key, true);
    this.orders.inc({ status });
  }

  private answered(order: Order): void {
    const start = this.submittedAt.get(order.id);
    if (start === undefined) return;
    this.submittedAt.delete(order.id);
    this.latency.observe(performance.now() - start);
  }

  // ------------------------------------------------------------------ scrape-time gauges

  private defineGauges(): void {
    this.gauge('trading_positions_count', 'Open (non-flat) positions, one per account and symbol.', [], () =>
      this.positionsCount(),
    );
    this.gauge(
      'trading_buying_power',
      'Buying power per account, as its venue reports it, in the account currency.',
      ['account', 'venue'],
      () => this.buyingPower(),
    );
    this.gauge(
      'trading_buying_power_all_accounts',
      'Buying power summed over every account; left out while a venue does not answer.',
      [],
      () => this.buyingPowerTotal(),
    );
    this.gauge(
      'trading_daily_pnl',
      this.deps.risk === undefined
        ? 'Realized P&L net of fees since the positions were first recorded, plus unrealized P&L at the current marks (no risk engine: not reset daily).'
        : 'Equity now minus equity when the trading day started (the previous US equity close for equity accounts, 00:00 UTC otherwise), summed over every account.',
      [],
      () => this.pnl(),
    );
    if (this.deps.risk !== undefined) this.defineRiskGauges(this.deps.risk);
    this.gauge(
      'trading_venue_up',
      'Whether the venue answered its account report within the timeout (1) or not (0).',
      ['venue'],
      () => this.venueUp(),
    );
    this.gauge(
      'trading_venue_latency_ms',
      "Round trip of this scrape's account report to the venue, in milliseconds.",
      ['venue'],
      () => this.venueLatency(),
    );
  }

  /** The trading state and the portfolio risk metrics (ratios; 0.05 = 5%). */
  private defineRiskGauges(risk: NonNullable<TradingMetricsDeps['risk']>): void {
    this.gauge('trading_risk_state', 'Trading state: 0 active, 1 reducing, 2 halted.', [], () =>
      Promise.resolve([{ labels: {}, value: STATE_VALUE[risk.engine.tradingState().state] }]),
    );
    const metrics = (): Promise<PortfolioMetrics> => risk.controls.portfolioMetrics();
    this.gauge(
      'trading_risk_var',
      'Historical one-day value at risk as a fraction of equity, from daily equity returns.',
      ['confidence'],
      async () => {
        const m = await metrics();
        return tails(m, (t) => t.valueAtRisk);
      },
    );
    this.gauge(
      'trading_risk_expected_shortfall',
      'Historical one-day expected shortfall as a fraction of equity.',
      ['confidence'],
      async () => tails(await metrics(), (t) => t.expectedShortfall),
    );
    this.gauge(
      'trading_risk_max_drawdown',
      'Deepest peak-to-trough fall of equity, as a fraction.',
      [],
      async () => {
        const d = (await metrics()).maxDrawdown;
        return d === undefined ? [] : [{ labels: {}, value: d.fraction.toNumber() }];
      },
    );
    this.gauge(
      'trading_risk_sharpe_ratio',
      'Annualised Sharpe ratio of daily equity returns.',
      [],
      async () => {
        const r = (await metrics()).sharpeRatio;
        return r === undefined ? [] : [{ labels: {}, value: r.toNumber() }];
      },
    );
  }

  /**
   * A gauge filled when scraped. Its values are read first and swapped in at once; when the source
   * fails the gauge is left out of this scrape and trading_metrics_errors_total counts it, so that
   * /metrics always answers. (prom-client shows an unlabelled gauge as 0 unless it is removed.)
   */
  private gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<readonly Sample<L>[]>,
  ): void {
    this.gauges.push(name);
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect: () => {
        const refresh = this.refresh(gauge, { name, labelled: labelNames.length > 0 }, read);
        this.refreshing.add(refresh);
        return refresh.finally(() => this.refreshing.delete(refresh));
      },
    });
  }

  private async refresh<L extends string>(
    gauge: Gauge<L>,
    { name, labelled }: { name: string; labelled: boolean },
    read: () => Promise<readonly Sample<L>[]>,
  ): Promise<void> {
    let samples: readonly Sample<L>[] = [];
    try {
      samples = await read();
    } catch {
      this.errors.inc({ metric: name });
    }
    gauge.reset();
    if (!labelled && samples.length === 0) gauge.remove();
    for (const sample of samples) gauge.set(sample.labels, sample.value);
  }

  private async positionsCount(): Promise<Sample<never>[]> {
    const open = (await this.deps.service.positions()).filter((p) => !p.quantity.isZero());
    return [{ labels: {}, value: open.length }];
  }

  private async buyingPower(): Promise<Sample<'account' | 'venue'>[]> {
    return (await this.venueReports()).flatMap(({ venue, accounts }) =>
      (accounts ?? []).map((a) => ({
        labels: { account: a.accountId, venue },
        value: a.buyingPower.toNumber(),
      })),
    );
  }

  /** Summed as decimals, converted once; a partial sum would read as a drop, so none while a venue is down. */
  private async buyingPowerTotal(): Promise<Sample<never>[]> {
    const reports = await this.venueReports();
    if (reports.some((r) => r.accounts === undefined)) return [];
    const all = reports.flatMap((r) => r.accounts ?? []);
    return [{ labels: {}, value: sumDec(all.map((a) => a.buyingPower)).toNumber() }];
  }

  /**
   * The service keeps no session or day boundary: realized P&L is accumulated per instrument for
   * as long as the store has held it. Symbols without a mark are left out of the unrealized part.
   */
  private async pnl(): Promise<Sample<never>[]> {
    if (this.deps.risk !== undefined) {
      const [global] = await this.deps.risk.engine.usageReport(undefined, undefined);
      return global?.dailyPnl === undefined ? [] : [{ labels: {}, value: global.dailyPnl.toNumber() }];
    }
    const { totals } = await this.deps.service.portfolio();
    return [{ labels: {}, value: totals.realizedPnl.plus(totals.unrealizedPnl).toNumber() }];
  }

  private async venueUp(): Promise<Sample<'venue'>[]> {
    return (await this.venueReports()).map((r) => ({
      labels: { venue: r.venue },
      value: r.accounts === undefined ? 0 : 1,
    }));
  }

  private async venueLatency(): Promise<Sample<'venue'>[]> {
    return (await this.venueReports()).flatMap((r) =>
      r.latencyMs === undefined ? [] : [{ labels: { venue: r.venue }, value: r.latencyMs }],
    );
  }

  /**
   * The Broker port has no health signal, so a venue is up when it answers an account report in
   * time. One report per venue per scrape: the venue gauges, collected together, share it.
   */
  private venueReports(): Promise<readonly VenueReport[]> {
    this.probe ??= Promise.all(this.deps.venues.map((v) => this.report(v))).finally(() => {
      this.probe = undefined;
    });
    return this.probe;
  }

  private async report(broker: Pick<Broker, 'venue' | 'accounts'>): Promise<VenueReport> {
    const started = performance.now();
    try {
      const call = Promise.resolve().then(() => broker.accounts());
      const accounts = await withDeadline(
        broker.venue,
        call,
        this.deps.venueTimeoutMs ?? 2_000,
        `${broker.venue} account report for /metrics`,
      );
      return { venue: broker.venue, accounts, latencyMs: performance.now() - started };
    } catch {
      return { venue: broker.venue };
    }
  }
}

function tails(m: PortfolioMetrics, pick: (t: TailRisk) => Decimal): Sample<'confidence'>[] {
  const levels: [string, TailRisk | undefined][] = [
    ['0.95', m.var95],
    ['0.99', m.var99],
  ];
  return levels.flatMap(([confidence, t]) =>
    t === undefined ? [] : [{ labels: { confidence }, value: pick(t).toNumber() }],
  );
}
