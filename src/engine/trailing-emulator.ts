import type { Broker } from '../brokers/broker.js';
import type { Clock } from '../domain/clock.js';
import type { Decimal } from '../domain/decimal.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import { type Instrument, roundToTick } from '../domain/instrument.js';
import { type Order, isTerminal } from '../domain/order.js';
import type { EventBus } from './event-bus.js';
import { type OrderService, isUnsent } from './order-service.js';
import type { OrderStore } from './ports.js';

export interface TrailingEmulatorDeps {
  readonly service: OrderService;
  readonly store: OrderStore;
  readonly brokers: readonly Broker[];
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  /** How often the venues' quotes are read (default 250 ms). */
  readonly pollMs?: number;
  readonly onError?: (error: unknown, details: Record<string, unknown>) => void;
}

/**
 * A trailing stop's next state from one quote (ORDER-SEMANTICS.md §2.3, trigger source bid/ask):
 * the trigger is tested against the current stop first; only then does the stop ratchet, to a
 * candidate strictly better than it (the first one always applies). Pure.
 */
export function trailStep(
  order: Pick<Order, 'side' | 'trailPrice' | 'trailPercent' | 'currentStop'>,
  quote: { bid?: Decimal; ask?: Decimal },
  instrument: Instrument,
): { triggered: boolean; stop?: Decimal } {
  const sell = order.side === 'sell';
  const basis = sell ? quote.bid : quote.ask;
  if (basis === undefined) return { triggered: false };
  const stop = order.currentStop;
  if (stop !== undefined && (sell ? basis.lessThanOrEqualTo(stop) : basis.greaterThanOrEqualTo(stop)))
    return { triggered: true };
  const offset = order.trailPrice ?? basis.times(order.trailPercent ?? 0).div(100);
  const candidate = sell
    ? roundToTick(instrument, basis.minus(offset), 'down')
    : roundToTick(instrument, basis.plus(offset), 'up');
  const better = stop === undefined || (sell ? candidate.greaterThan(stop) : candidate.lessThan(stop));
  return better ? { triggered: false, stop: candidate } : { triggered: false };
}

/**
 * Trailing stops on venues without them: the engine holds the order (never sent), follows the
 * venue's quote, ratchets the stop (each move an `upd`, so it survives a restart) and, when the
 * stop is hit, sends a market order under the same client order id.
 */
export class TrailingEmulator {
  private readonly tracked = new Set<string>();
  private readonly unsubscribes: (() => void)[] = [];
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TrailingEmulatorDeps) {}

  start(): void {
    this.unsubscribes.push(
      this.deps.bus.subscribe('trade.order.submitted', ({ order }) => {
        if (emulatedTrailing(order)) this.tracked.add(order.id);
      }),
    );
    this.arm();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** After a restart: every held emulated trailing stop is followed again, from its saved stop. */
  async restore(): Promise<number> {
    const open = (await this.deps.store.openOrders()).filter((s) => emulatedTrailing(s.order));
    for (const s of open) this.tracked.add(s.order.id);
    return open.length;
  }

  /** Resolves when the current pass is done (tests). */
  idle(): Promise<void> {
    return this.running;
  }

  private arm(): void {
    const at = this.deps.clock.now() + (this.deps.pollMs ?? 250);
    this.cancelTimer = this.deps.clock.schedule(at, () => {
      this.running = this.running
        .then(() => this.pass())
        .finally(() => {
          this.arm();
        });
    });
  }

  /** One look at every followed order's quote. */
  async pass(): Promise<void> {
    for (const id of [...this.tracked]) {
      try {
        await this.follow(id);
      } catch (error) {
        this.deps.onError?.(error, { orderId: id });
      }
    }
  }

  private async follow(id: string): Promise<void> {
    const stored = await this.deps.store.findById(id);
    if (stored === undefined || !emulatedTrailing(stored.order)) {
      this.tracked.delete(id);
      return;
    }
    const order = stored.order;
    const book = this.deps.brokers.find((b) => b.venue === order.venue)?.book(order.symbol);
    const bid = book?.bids[0]?.price;
    const ask = book?.asks[0]?.price;
    const step = trailStep(
      order,
      { ...(bid === undefined ? {} : { bid }), ...(ask === undefined ? {} : { ask }) },
      this.deps.instruments.get(order.symbol),
    );
    if (step.triggered) {
      this.tracked.delete(id);
      await this.deps.service.releaseHeld(id, { type: 'market' });
    } else if (step.stop !== undefined) {
      await this.deps.service.updateHeld(id, { currentStop: step.stop });
    }
  }
}

function emulatedTrailing(order: Order): boolean {
  return order.type === 'trailing_stop' && order.held && isUnsent(order) && !isTerminal(order.status);
}
