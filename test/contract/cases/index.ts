/** Every case of the broker contract, by name. One `it` each; names are what skips refer to. */
import type { ContractSession } from '../contract-session.js';
import {
  capabilitiesDeclared,
  unsupportedOrderTypeRefused,
  unsupportedTimeInForceRefused,
} from './capabilities.js';
import { bracketEntryActivatesExitsAndTakeProfitCancelsStop } from './contingent.js';
import { invalidQuantityRefused, unknownSymbolRefused } from './errors.js';
import {
  limitRestsThenFills,
  marketBuyFills,
  stopLimitTriggersThenFills,
  stopTriggersAndFills,
  trailingStopTriggersAndFills,
} from './order-types.js';
import {
  balancesAndAccountsConsistent,
  fillsRecoverableByPolling,
  openOrdersListResting,
  ordersAndFillsSince,
  positionsReflectFills,
  positionsSignedShort,
} from './reports.js';
import {
  cancelFilledRefused,
  cancelRestingYieldsCxl,
  duplicateClientOrderIdRefused,
  getOrderUnknownIsUndefined,
  replaceRestingLimit,
} from './requests.js';
import { fokAllOrNothing, iocPartialFillCancelsRest, postOnlyWouldTakeRejected } from './time-in-force.js';

export type CaseRun = (session: ContractSession) => Promise<void> | void;

export const CONTRACT_CASES = {
  'capabilities-declared': capabilitiesDeclared,
  'unsupported-order-type-refused': unsupportedOrderTypeRefused,
  'unsupported-time-in-force-refused': unsupportedTimeInForceRefused,
  'market-buy-fills': marketBuyFills,
  'limit-rests-then-fills': limitRestsThenFills,
  'stop-triggers-and-fills': stopTriggersAndFills,
  'stop-limit-triggers-then-fills': stopLimitTriggersThenFills,
  'trailing-stop-triggers-and-fills': trailingStopTriggersAndFills,
  'ioc-partial-fill-cancels-rest': iocPartialFillCancelsRest,
  'fok-all-or-nothing': fokAllOrNothing,
  'post-only-would-take-rejected': postOnlyWouldTakeRejected,
  'cancel-resting-yields-cxl': cancelRestingYieldsCxl,
  'cancel-filled-refused': cancelFilledRefused,
  'replace-resting-limit': replaceRestingLimit,
  'get-order-unknown-is-undefined': getOrderUnknownIsUndefined,
  'duplicate-client-order-id-refused': duplicateClientOrderIdRefused,
  'open-orders-list-resting': openOrdersListResting,
  'orders-and-fills-since': ordersAndFillsSince,
  'fills-recoverable-by-polling': fillsRecoverableByPolling,
  'positions-reflect-fills': positionsReflectFills,
  'positions-signed-short': positionsSignedShort,
  'balances-and-accounts-consistent': balancesAndAccountsConsistent,
  'unknown-symbol-refused': unknownSymbolRefused,
  'invalid-quantity-refused': invalidQuantityRefused,
  'bracket-exits-activate-and-cancel': bracketEntryActivatesExitsAndTakeProfitCancelsStop,
} as const satisfies Record<string, CaseRun>;

export type ContractCase = keyof typeof CONTRACT_CASES;

/** The case names in the order they run. */
export const CASE_NAMES = Object.keys(CONTRACT_CASES) as ContractCase[];
