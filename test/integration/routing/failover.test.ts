import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionGuard } from '../../../src/brokers/connection-guard.js';
import { withFaults } from '../../../src/brokers/test-faults.js';
import { dec } from '../../../src/domain/decimal.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import { type Rig, order, startRig, venue } from './rig.js';

describe.each(TEST_BACKENDS)('failover on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: Rig | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await rig?.stop();
    rig = undefined;
  });

  it('with a venue down, new orders go to the next capable venue; it is eligible again once it recovers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const faults = new Map<string, ReturnType<typeof withFaults>>();
    const recovered: string[] = [];
    rig = await startRig(store(), [venue('venue-a'), venue('venue-b')], {
      wrap: (paper) => {
        const faulty = withFaults(paper);
        faults.set(paper.venue, faulty);
        return new ConnectionGuard(faulty.broker, {
          breakAfter: 3,
          attempts: 1,
          halfOpenAfterMs: 10_000,
          onRecovered: (v) => recovered.push(v),
        });
      },
    });
    // venue-a quotes the better price: the router prefers it while it is up.
    rig.book('venue-a', 'AAPL', [['99.99', '10000']], [['100.00', '10000']]);
    rig.book('venue-b', 'AAPL', [['99.98', '10000']], [['100.02', '10000']]);
    expect((await rig.service.submit(order({ quantity: dec(1) }))).order.venue).toBe('venue-a');

    // venue-a stops answering: submits time out (left in flight for reconciliation, never re-sent)
    // and the router, seeing the failures, already prefers venue-b for what is not pinned.
    faults.get('venue-a')?.fail.set('submit', 3);
    const pinned = order({ quantity: dec(1), venue: 'venue-a' });
    const lost = [];
    for (let i = 0; i < 3; i += 1) lost.push(await rig.service.submit(pinned));
    expect(lost.map((s) => s.order.status)).toEqual(['pending_new', 'pending_new', 'pending_new']);
    expect(faults.get('venue-a')?.calls.get('submit')).toBe(4);

    // Its circuit is open: a pinned order is refused at once (nothing sent), the rest go to venue-b.
    await expect(rig.service.submit({ ...pinned, clientOrderId: 'while-down' })).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
    expect(await rig.service.findOrder({ clientOrderId: 'while-down' })).toBeUndefined();
    expect(faults.get('venue-a')?.calls.get('submit')).toBe(4);
    const failover = await rig.service.submit(order({ quantity: dec(2) }));
    expect(failover.order.venue).toBe('venue-b');
    expect(failover.order.status).toBe('filled');
    const { plan } = await rig.desk.plan(order({ quantity: dec(1) }));
    expect(plan.scores.find((v) => v.venue === 'venue-a')).toMatchObject({ eligible: false });

    // After the wait one trial call goes through: venue-a is back (its open orders get reconciled).
    vi.setSystemTime(Date.now() + 11_000);
    const trial = await rig.service.submit(pinned);
    expect(trial.order.status).toBe('filled');
    expect(recovered).toEqual(['venue-a']);
    const after = await rig.desk.plan(order({ quantity: dec(1) }));
    expect(after.plan.scores.find((v) => v.venue === 'venue-a')).toMatchObject({ eligible: true });
  });
});
