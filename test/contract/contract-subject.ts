/**
 * What an adapter hands the broker contract suite: the Broker under test, one account, a symbol to
 * trade, and a way to drive its market. The paper venue drives its own matching (`simulate`); a
 * recorded adapter drives its msw handlers or its loopback fake broker so that the venue fills.
 */
import type { Broker } from '../../src/brokers/broker.js';
import type { AssetClass } from '../../src/domain/instrument.js';
import type { OrderType, TimeInForce } from '../../src/domain/order.js';

/** One level a side, as exact decimal strings. */
export interface ContractQuote {
  readonly bid: string;
  readonly ask: string;
  readonly bidSize: string;
  readonly askSize: string;
}

export interface ContractMarket {
  /** Replaces the market for a symbol; the venue matches its resting orders against it. */
  set(symbol: string, quote: ContractQuote): Promise<void> | void;
  /** Moves the venue's time forward. Without it the suite waits a few real milliseconds. */
  advance?(ms: number): Promise<void> | void;
}

/** What the venue is expected to declare; each given field is compared exactly. */
export interface DeclaredCapabilities {
  readonly assetClasses?: readonly AssetClass[];
  readonly orderTypes?: readonly OrderType[];
  readonly timeInForce?: readonly TimeInForce[];
  /** Basis points as decimal strings. */
  readonly fees?: { readonly makerBps: string; readonly takerBps: string };
}

export interface ContractSubject {
  readonly broker: Broker;
  /** An account at the venue, funded well enough to buy 20 units at about 105. */
  readonly accountId: string;
  /** The symbol every case trades; its tick must allow two decimals and its lot whole units. */
  readonly symbol: string;
  readonly market: ContractMarket;
  readonly declared?: DeclaredCapabilities;
  /** Resolves once the stream has delivered every event the venue produced so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export type SubjectFactory = () => Promise<ContractSubject>;
