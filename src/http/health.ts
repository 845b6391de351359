import { sql } from 'drizzle-orm';
import type { TradingApp } from '../main/trading-app.js';

/** How long one probe may take before its part counts as down. */
export const PROBE_TIMEOUT_MS = 2_000;

export interface ProbeResult {
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
  readonly error?: string;
}

/** A venue's probe with its connection's health (circuit, error rate over the last calls). */
export interface VenueProbe extends ProbeResult {
  readonly connection?: { readonly status: string; readonly circuit: string; readonly errorRate: number };
}

export interface HealthReport {
  readonly status: 'healthy' | 'degraded' | 'unhealthy';
  readonly checks: {
    readonly database: ProbeResult;
    readonly venues: Readonly<Record<string, VenueProbe>>;
    readonly eventBus: ProbeResult;
    readonly reconciliation: { readonly status: 'up' | 'down'; readonly failed: readonly string[] };
    /** The trading state and the latest risk alerts (a halt makes the server degraded). */
    readonly risk: {
      readonly tradingState: 'active' | 'reducing' | 'halted';
      readonly reason: string;
      readonly alerts: readonly { at: string; kind: string; severity: string; message: string }[];
    };
  };
  readonly lastOrderAt?: string;
  readonly openPositions?: number;
  readonly pendingOrders?: number;
}

/**
 * Probes every part for real, in parallel: the database with a query, each venue with an account
 * request, the event bus with a published probe, and the last reconciliation pass. Unhealthy
 * when the database is down (nothing can be recorded, so nothing may trade); degraded when a
 * venue, the bus or reconciliation is.
 */
export async function probeHealth(app: TradingApp): Promise<HealthReport> {
  const [database, venueResults] = await Promise.all([
    probe(() => app.store.db.execute(sql`select 1`)),
    Promise.all(
      app.venues.map(async (v) => {
        const result = await probe(() => v.accounts());
        const connection = app.connections.find((c) => c.venue === v.venue)?.health();
        // A venue whose circuit is open is down whatever a probe says: the order flow skips it.
        const down = result.status === 'down' || connection?.status === 'down';
        return [
          v.venue,
          {
            ...result,
            status: down ? ('down' as const) : ('up' as const),
            ...(connection === undefined
              ? {}
              : {
                  connection: {
                    status: connection.status,
                    circuit: connection.circuit,
                    errorRate: connection.errorRate,
                  },
                }),
          },
        ] as const;
      }),
    ),
  ]);
  const started = performance.now();
  const delivered = app.bus.probe();
  const eventBus: ProbeResult = {
    status: delivered ? 'up' : 'down',
    latencyMs: elapsed(started),
    ...(delivered ? {} : { error: 'a published probe did not reach its subscriber' }),
  };
  const failed = app
    .lastReconciliation()
    .filter((r) => r.failed !== undefined)
    .map((r) => `${r.venue}/${r.accountId}: ${r.failed ?? ''}`);
  const venues = Object.fromEntries(venueResults);
  const state = app.risk.tradingState();
  const risk = {
    tradingState: state.state,
    reason: state.reason,
    alerts: app.riskControls
      .alerts()
      .slice(-5)
      .map((a) => ({
        at: new Date(a.at).toISOString(),
        kind: a.kind,
        severity: a.severity,
        message: a.message,
      })),
  };
  const degraded =
    eventBus.status === 'down' ||
    failed.length > 0 ||
    state.state === 'halted' ||
    venueResults.some(([, r]) => r.status === 'down');
  const counts = database.status === 'up' ? await figures(app).catch(() => undefined) : undefined;
  return {
    status: database.status === 'down' ? 'unhealthy' : degraded ? 'degraded' : 'healthy',
    checks: {
      database,
      venues,
      eventBus,
      reconciliation: { status: failed.length > 0 ? 'down' : 'up', failed },
      risk,
    },
    ...counts,
  };
}

async function figures(app: TradingApp) {
  const [latest, positions, open] = await Promise.all([
    app.service.listOrders({ status: 'all', limit: 1 }),
    app.orders.positions(),
    app.orders.openOrders(),
  ]);
  const last = latest.orders[0]?.order.createdAt;
  return {
    ...(last === undefined ? {} : { lastOrderAt: new Date(last).toISOString() }),
    openPositions: positions.filter((p) => !p.quantity.isZero()).length,
    pendingOrders: open.length,
  };
}

async function probe(run: () => Promise<unknown>): Promise<ProbeResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`));
        }, PROBE_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: elapsed(started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: elapsed(started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number): number => Math.round((performance.now() - started) * 100) / 100;
