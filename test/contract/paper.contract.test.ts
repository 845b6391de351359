/**
 * The paper exchange runs the broker contract suite: as a US equity margin venue (every case) and
 * as a crypto cash venue shaped like ccxt spot (the skips say what that venue lacks).
 */
import { TIME_IN_FORCE } from '../../src/domain/order.js';
import { runBrokerContract } from './broker-contract.js';
import { cryptoVenue, equityVenue, paperSubject } from './paper-subject.js';

runBrokerContract('paper (us_equity, margin)', () =>
  paperSubject({
    profile: equityVenue(),
    symbol: 'AAPL',
    declared: {
      assetClasses: ['us_equity'],
      orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
      timeInForce: TIME_IN_FORCE,
      fees: { makerBps: '1', takerBps: '2' },
    },
  }),
);

runBrokerContract(
  'paper (crypto, cash)',
  () =>
    paperSubject({
      profile: cryptoVenue(),
      symbol: 'BTC/USD',
      declared: {
        assetClasses: ['crypto'],
        orderTypes: ['market', 'limit', 'stop', 'stop_limit'],
        fees: { makerBps: '15', takerBps: '25' },
      },
    }),
  {
    'trailing-stop-triggers-and-fills': 'the venue declares no trailing_stop (the engine emulates it, §2.1)',
    'positions-signed-short':
      'a cash account cannot sell what it does not hold (capabilities.shorting is false)',
  },
);
