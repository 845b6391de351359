import type { Fill } from '../domain/events.js';
import type { Order } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { TradingState } from '../risk/types.js';

/** A risk event people and agents should see: a breach, an automatic halt, a kill switch. */
export interface RiskAlert {
  readonly id: string;
  readonly at: number;
  readonly kind: 'daily_loss' | 'drawdown' | 'trading_state';
  readonly severity: 'warning' | 'critical';
  readonly message: string;
  readonly tradingState: TradingState;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The in-process bus with the seed's topic names. */
export interface BusEvents {
  'trade.order.submitted': { readonly order: Order };
  'trade.order.filled': { readonly order: Order; readonly fill: Fill };
  'trade.order.partial': { readonly order: Order; readonly fill: Fill };
  'trade.order.rejected': { readonly order: Order };
  'trade.order.cancelled': { readonly order: Order };
  'trade.order.expired': { readonly order: Order };
  'trade.order.updated': { readonly order: Order };
  'trade.position.opened': { readonly position: Position };
  'trade.position.updated': { readonly position: Position };
  'trade.position.closed': { readonly position: Position };
  /** A risk alert: a limit breached, the trading state changed (also shown by /health). */
  'trade.risk.alert': { readonly alert: RiskAlert };
  /** Limits changed at a level (trading://risk/limits). */
  'trade.risk.limits': { readonly level: string; readonly scopeId: string };
  /** Published by health probes: proves that publishing reaches subscribers. */
  'system.health.probe': { readonly nonce: number };
}

export type Topic = keyof BusEvents;

/** Every topic that carries an order after a change: what group and algorithm logic reacts to. */
export const ORDER_CHANGE_TOPICS = [
  'trade.order.filled',
  'trade.order.partial',
  'trade.order.cancelled',
  'trade.order.expired',
  'trade.order.rejected',
  'trade.order.updated',
] as const satisfies readonly Topic[];
type Handler<T extends Topic> = (payload: BusEvents[T]) => void;

/**
 * A synchronous typed publish/subscribe bus. A throwing subscriber is isolated: the others still
 * run, and the error goes to `onError` (the engine logs it) instead of into the order flow.
 */
export class EventBus {
  private readonly handlers = new Map<Topic, Set<Handler<Topic>>>();

  private probeEcho = 0;

  constructor(private readonly onError: (error: unknown, topic: Topic) => void = () => undefined) {
    this.subscribe('system.health.probe', ({ nonce }) => {
      this.probeEcho = nonce;
    });
  }

  /** Publishes a probe and reports whether its own subscriber received it (health checks). */
  probe(): boolean {
    const nonce = this.probeEcho + 1;
    this.publish('system.health.probe', { nonce });
    return this.probeEcho === nonce;
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    let set = this.handlers.get(topic);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler as Handler<Topic>);
    return () => {
      set.delete(handler as Handler<Topic>);
    };
  }

  publish<T extends Topic>(topic: T, payload: BusEvents[T]): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.onError(error, topic);
      }
    }
  }
}
