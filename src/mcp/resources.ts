/**
 * The MCP resources of CONTRACT.md whose engine part exists, and the change feed that tells
 * subscribers when one of them changes (a fill, a status change). A resource's content is the
 * structured result of the tool that shows the same thing, so the two never disagree.
 */
import type { EventBus, Topic } from '../engine/event-bus.js';
import { NO_CALL_CONTEXT, type CallerAgent, type ToolDefinition, type ToolDeps } from './tool-kit.js';
import { TOOLS } from './tools.js';

export interface ResourceDefinition {
  readonly name: string;
  /** A fixed URI, or a template with one {variable}. */
  readonly uri: string;
  readonly title: string;
  readonly description: string;
  /** The tool whose structured result is the content, and its arguments for this URI. */
  readonly tool: string;
  readonly args: (variables: Readonly<Record<string, string>>) => Record<string, unknown>;
}

export const RESOURCES: readonly ResourceDefinition[] = [
  {
    name: 'account',
    uri: 'trading://account',
    title: 'Accounts',
    description: 'Every broker account: equity, cash, buying power (as getAccount). Changes on every fill.',
    tool: 'getAccount',
    args: () => ({}),
  },
  {
    name: 'positions',
    uri: 'trading://positions',
    title: 'Positions',
    description:
      'Positions across every account, valued at the mark (as getPositions). Changes on every fill.',
    tool: 'getPositions',
    args: () => ({}),
  },
  {
    name: 'open-orders',
    uri: 'trading://orders/open',
    title: 'Open orders',
    description: 'The open orders, newest first, up to 200 (as listOrders). Changes on every status change.',
    tool: 'listOrders',
    args: () => ({ status: 'open', limit: 200 }),
  },
  {
    name: 'order',
    uri: 'trading://orders/{orderId}',
    title: 'One order',
    description:
      'One order with its fills and events (as getOrder). Changes on its fills and status changes.',
    tool: 'getOrder',
    args: (v) => ({ orderId: v['orderId'] }),
  },
  {
    name: 'risk-limits',
    uri: 'trading://risk/limits',
    title: 'Risk limits',
    description:
      'The trading state, the limits in force and their usage, alerts and risk metrics (as getRiskLimits). Changes when a limit or the trading state changes, and on fills.',
    tool: 'getRiskLimits',
    args: () => ({}),
  },
  {
    name: 'venues',
    uri: 'trading://venues',
    title: 'Venues',
    description: 'The connected venues, what they trade, fees and order types (as listVenues).',
    tool: 'listVenues',
    args: () => ({}),
  },
];

/** The resources a caller may read: those whose tool it may call. */
export function resourcesFor(caller: CallerAgent): readonly ResourceDefinition[] {
  return RESOURCES.filter((r) => {
    const tool = toolNamed(r.tool);
    return caller.scopes.has(tool.scope) || caller.scopes.has('admin');
  });
}

/** A resource's content as JSON text: the tool's structured result for the URI's variables. */
export async function readResource(
  resource: ResourceDefinition,
  variables: Readonly<Record<string, string>>,
  caller: CallerAgent,
  deps: ToolDeps,
): Promise<string> {
  const tool = toolNamed(resource.tool);
  const args = tool.input.parse(resource.args(variables));
  const result = await tool.run(args, caller, deps, NO_CALL_CONTEXT);
  return JSON.stringify(result.structured);
}

function toolNamed(name: string): ToolDefinition {
  const tool = TOOLS.find((t) => t.name === name);
  if (tool === undefined) throw new Error(`resource over unknown tool ${name}`);
  return tool;
}

const ORDER_TOPICS: readonly Topic[] = [
  'trade.order.submitted',
  'trade.order.filled',
  'trade.order.partial',
  'trade.order.rejected',
  'trade.order.cancelled',
  'trade.order.expired',
  'trade.order.updated',
];
const POSITION_TOPICS: readonly Topic[] = [
  'trade.position.opened',
  'trade.position.updated',
  'trade.position.closed',
];

const RISK_TOPICS: readonly Topic[] = ['trade.risk.limits', 'trade.risk.alert'];

/**
 * Turns the core's events into resource URIs that changed. The URIs of one burst of events (a
 * fill publishes the order's and the position's events together) are coalesced and delivered
 * once, after the current task.
 */
export class ResourceChanges {
  private readonly listeners = new Set<(uris: readonly string[]) => void>();
  private readonly unsubscribe: (() => void)[] = [];
  private pending: Set<string> | undefined;

  constructor(bus: EventBus) {
    for (const topic of ORDER_TOPICS) {
      this.unsubscribe.push(
        bus.subscribe(topic, (payload) => {
          const order = (payload as { order: { id: string } }).order;
          this.changed('trading://orders/open', `trading://orders/${order.id}`, 'trading://account');
        }),
      );
    }
    for (const topic of POSITION_TOPICS) {
      this.unsubscribe.push(
        bus.subscribe(topic, () => {
          this.changed('trading://positions', 'trading://account', 'trading://risk/limits');
        }),
      );
    }
    for (const topic of RISK_TOPICS) {
      this.unsubscribe.push(
        bus.subscribe(topic, () => {
          this.changed('trading://risk/limits', 'trading://account');
        }),
      );
    }
  }

  /** Calls the listener with each coalesced batch of changed URIs; returns its unsubscribe. */
  onChange(listener: (uris: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.listeners.clear();
  }

  private changed(...uris: string[]): void {
    if (this.pending === undefined) {
      this.pending = new Set();
      queueMicrotask(() => {
        const batch = [...(this.pending ?? [])];
        this.pending = undefined;
        for (const listener of this.listeners) {
          try {
            listener(batch);
          } catch {
            // A listener's failure (a closed connection) never reaches the order flow.
          }
        }
      });
    }
    for (const uri of uris) this.pending.add(uri);
  }
}
