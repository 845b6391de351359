/** Any ccxt exchange's spot market behind the Broker port. */
export { CcxtBroker, type CcxtBrokerOptions } from './ccxt-broker.js';
export { type CcxtCredentials, type CcxtExchangeConfig, createCcxtExchange } from './exchange.js';
export type { CcxtQuote } from './market-data.js';
