/**
 * The Alpaca adapter (paper account, US equities) runs the broker contract suite against the fake
 * Alpaca broker behind msw. Each skip says what Alpaca lacks.
 */
import { useMockServer } from '../support/msw.js';
import { alpacaSubject } from './alpaca-subject.js';
import { runBrokerContract } from './broker-contract.js';

// The trade_updates stream is a real loopback socket: only it may pass msw.
const server = useMockServer({ passLoopback: true });

runBrokerContract('alpaca (us_equity, margin)', () => alpacaSubject(server), {
  'stop-limit-triggers-then-fills':
    'Alpaca reports no trigger: its order statuses and trade_updates events have no `triggered`, so a stop_limit reads `new` until it fills (the fill itself is covered by the adapter tests)',
  'post-only-would-take-rejected':
    'Alpaca has no post-only instruction (capabilities.postOnly is false): the adapter refuses it before any call',
});
