import { randomUUID } from 'node:crypto';
import { TradingError } from '../domain/errors.js';
import type { RoutingLog } from './routing-log.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import { orderSpecOf } from '../domain/order.js';
import type { RoutePlan } from '../routing/types.js';
import type { AlgoRequest, AlgoRunner } from './algos.js';
import { type OrderService, type SubmitInput, pinOf } from './order-service.js';
import type { StoredOrder } from './ports.js';
import type { RoutingOptions, SmartRouter } from './smart-router.js';

/** An order request as the tools take it: an order, optionally an algorithm and routing preferences. */
export interface ExecutionRequest extends SubmitInput {
  readonly algo?: AlgoRequest;
  readonly routing?: RoutingOptions;
}

export interface ExecutionDeskDeps {
  readonly service: OrderService;
  readonly algos: AlgoRunner;
  readonly router: SmartRouter;
  readonly instruments: InstrumentRegistry;
  /** Where a split's plan is recorded, against its parent order. */
  readonly routingLog?: RoutingLog;
}

/**
 * The one entry for placing orders (MCP executeOrder, REST POST /orders): a plain or contingent
 * order goes to the order service; an algorithm order to the algorithm runner; an order that may
 * split is planned first and, when the split is cheaper than the best single venue, placed as a
 * parent with one child per venue.
 */
export class ExecutionDesk {
  constructor(private readonly deps: ExecutionDeskDeps) {}

  async execute(request: ExecutionRequest): Promise<StoredOrder> {
    const { algo, routing, ...input } = request;
    if (algo !== undefined) {
      if (input.contingent !== undefined)
        throw conflict('An algorithm order cannot also be a bracket, OCO or OTO.', 'algo');
      return this.deps.algos.submit(input, algo);
    }
    if (
      routing?.allowSplit === true &&
      input.contingent === undefined &&
      input.venue === undefined &&
      input.accountId === undefined
    ) {
      const { plan } = await this.plan(request);
      if (plan.split && plan.allocations.length > 1) {
        const parent = await this.deps.algos.submitSplit(input, plan.allocations);
        this.deps.routingLog?.record({
          id: randomUUID(),
          orderId: parent.order.id,
          symbol: parent.order.symbol,
          quantity: parent.order.quantity,
          plan,
          at: parent.order.createdAt,
        });
        return parent;
      }
    }
    return this.deps.service.submit(input);
  }

  /** The routing plan without placing anything (analyzeOrder). */
  async plan(request: ExecutionRequest): Promise<{ plan: RoutePlan }> {
    const instrument = this.deps.instruments.get(request.symbol);
    const spec = orderSpecOf({ ...request, symbol: instrument.symbol });
    return this.deps.router.plan(spec, instrument, pinOf(request), request.routing ?? {});
  }
}

function conflict(message: string, field: string): TradingError {
  return new TradingError('INVALID_ARGUMENT', message, {
    hint: 'Place the algorithm order plain, or the contingent order without algo.',
    details: { field },
  });
}
