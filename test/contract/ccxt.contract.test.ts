/**
 * The ccxt adapter (binance, spot, cash account) runs the broker contract suite against the fake
 * Binance spot API. Each skip says what Binance spot through ccxt lacks.
 */
import { useMockServer } from '../support/msw.js';
import { runBrokerContract } from './broker-contract.js';
import { ccxtSubject } from './ccxt-subject.js';

const server = useMockServer();

runBrokerContract('ccxt binance (spot, cash)', () => ccxtSubject(server), {
  'stop-triggers-and-fills':
    "BTCUSDT's exchangeInfo orderTypes list no STOP_LOSS, so no stop (market) order is declared; the engine emulates it (§2.1)",
  'trailing-stop-triggers-and-fills':
    "Binance spot trails by trailingDelta (basis points of the last price), not §2.3's bid/ask offset: no trailing_stop is declared; the engine emulates it",
  'fills-recoverable-by-polling':
    'the case places a stop (market) order, which BTCUSDT does not take (no STOP_LOSS); the same recovery of taker, ioc, maker and stop_limit fills is tested in test/integration/ccxt/polling.test.ts',
  'replace-resting-limit':
    "Binance spot has no order modify through ccxt (capabilities.replace is false): cancel-replace is the engine's job",
  'positions-signed-short':
    'a spot cash account cannot sell what it does not hold (capabilities.shorting is false)',
  'bracket-exits-activate-and-cancel':
    'no native bracket on Binance spot through ccxt (capabilities.nativeContingent is []): the engine holds the exits (§4)',
});
