/** The fake Binance spot REST API for msw (fake-binance.ts). */
export { BINANCE_HOSTS, FAKE_BINANCE_CREDENTIALS, FakeBinance } from './fake-binance.js';
export type { FakeBinanceOptions, ReceivedRequest } from './fake-binance.js';
export { fixture } from './fixtures.js';
