/**
 * What every tool definition is made of: the caller, the core it runs on, the definition's shape,
 * the annotation presets and small wire helpers. The tool tables (tools.ts and its siblings) build
 * on this; the MCP server and the REST API run them.
 */
import { z } from 'zod';
import type { Broker } from '../brokers/broker.js';
import type { MarketSimulator } from '../brokers/paper/market-simulator.js';
import type { Clock } from '../domain/clock.js';
import { type Decimal, toWire } from '../domain/decimal.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import type { AnalyticsPort } from '../engine/analytics-ports.js';
import type { OrderService } from '../engine/order-service.js';
import type { AlgoRunner } from '../engine/algos.js';
import type { ExecutionDesk } from '../engine/execution-desk.js';
import type { VenueStats } from '../routing/types.js';
import type { RiskControls } from '../engine/risk-controls.js';
import type { RiskEngine } from '../engine/risk-engine.js';
import type { SignalDesk } from '../engine/signals.js';
import type { BarHistory } from '../marketdata/bars/bar-history.js';
import type { ConfirmationTokens } from './confirmation.js';

import type { Scope } from '../agents/card.js';

export type { Scope };

/** Who is calling: the agent's id and what it may do. */
export interface CallerAgent {
  readonly id: string;
  readonly scopes: ReadonlySet<Scope>;
  /** Orders above this notional need an explicit confirmation (the agent card's confirmAboveNotional). */
  readonly confirmAboveNotional?: Decimal;
  /** The accounts the agent's card allows; absent: every account. */
  readonly accounts?: readonly string[];
}

export interface AgentSummary {
  readonly agentId: string;
  readonly name: string;
  readonly capabilities: readonly { readonly name: string; readonly proficiency: string }[];
  readonly scopes: readonly string[];
}

/** What the tools run on. */
export interface ToolDeps {
  readonly service: OrderService;
  readonly brokers: readonly Broker[];
  readonly instruments: InstrumentRegistry;
  readonly clock: Clock;
  readonly agents: () => readonly AgentSummary[];
  /** Confirm tokens for orders above an agent's confirmAboveNotional (one set per server process). */
  readonly confirmations: ConfirmationTokens;
  /** The paper exchange's tape of 1-minute bars (getBars); absent: no bars are kept. */
  readonly bars?: BarHistory;
  /** Algorithm, split and contingent placement (executeOrder, analyzeOrder); absent: plain orders only. */
  readonly desk?: ExecutionDesk;
  /** Each venue's measured statistics (listVenues) and health. */
  readonly venueStats?: (venue: string) => VenueStats;
  readonly venueHealth?: (venue: string) => { status: 'connected' | 'degraded' | 'down' };
  /** The algorithm runner: progress of algorithm orders. */
  readonly algos?: AlgoRunner;
  /** The paper venues' market controls (simulateMarket); absent when no paper venue is enabled. */
  readonly paperMarket?: MarketSimulator;
  /** The risk engine, its controls and the signal desk; absent: the risk tools are not offered. */
  readonly risk?: RiskDeps;
  /** Recorded execution metrics (getExecutionAnalytics); absent: that tool answers an error. */
  readonly analytics?: AnalyticsPort;
}

export interface RiskDeps {
  readonly engine: RiskEngine;
  readonly controls: RiskControls;
  readonly signals: SignalDesk;
}

/** One call's link to its caller: cancellation, and progress for long calls. */
export interface CallContext {
  /** Aborted when the caller cancels the request (or the connection goes away). */
  readonly signal: AbortSignal;
  /** Reports progress (no-op unless the caller asked for it with a progress token). */
  readonly progress: (done: number, total?: number, message?: string) => void;
  /** The caller sent a progress token: it wants to hear how a long command goes. */
  readonly progressRequested?: boolean;
  /** The person's answer when the server asked them through elicitation (absent: not asked). */
  readonly confirmation?: 'accepted' | 'declined';
}

export const NO_CALL_CONTEXT: CallContext = {
  signal: new AbortController().signal,
  progress: () => undefined,
};

export interface ToolResult<O> {
  readonly structured: O;
  /** One or two lines a person can read. */
  readonly text: string;
}

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly scope: Scope;
  readonly annotations: {
    readonly readOnlyHint: boolean;
    readonly destructiveHint: boolean;
    readonly idempotentHint: boolean;
    readonly openWorldHint: boolean;
  };
  readonly input: I;
  readonly output: O;
  /** Whether the tool exists on this core (default: always); e.g. simulateMarket needs paper venues. */
  readonly available?: (deps: ToolDeps) => boolean;
  readonly run: (
    args: z.output<I>,
    caller: CallerAgent,
    deps: ToolDeps,
    call: CallContext,
  ) => Promise<ToolResult<z.input<O>>>;
}

export const tool = <I extends z.ZodType, O extends z.ZodType>(definition: ToolDefinition<I, O>) =>
  definition as unknown as ToolDefinition;

export const READ = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
/** Orders reach a venue (the outside world) and change what is held. */
export const TRADE = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

export const symbolField = z.string().min(1).max(32).describe('Instrument symbol, e.g. "AAPL" or "BTC/USD".');

export const w = (d: Decimal | undefined): string | undefined => (d === undefined ? undefined : toWire(d));
/** An object with its undefined-valued keys left out, typed so (exact optional properties). */
export type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};
export const defined = <T extends Record<string, unknown>>(o: T): Defined<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
