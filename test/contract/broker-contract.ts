/**
 * The broker contract suite (STYLE.md habit 2): every adapter runs the same cases through the
 * Broker port, with the cases it cannot pass declared as skips, each with its reason. The paper
 * venue passes all of them; a skip whose reason starts with "BUG:" marks a known defect.
 */
import { afterEach, beforeEach, describe, it } from 'vitest';
import { CASE_NAMES, CONTRACT_CASES, type ContractCase } from './cases/index.js';
import { ContractSession } from './contract-session.js';
import type { SubjectFactory } from './contract-subject.js';

export type { ContractCase } from './cases/index.js';
export type { ContractSubject, SubjectFactory } from './contract-subject.js';

export type ContractSkips = Partial<Record<ContractCase, string>>;

export function runBrokerContract(name: string, factory: SubjectFactory, skips: ContractSkips = {}): void {
  for (const [which, reason] of Object.entries(skips)) {
    if (reason.trim() === '') throw new Error(`${name}: the skip of ${which} needs a reason`);
  }
  describe(`broker contract: ${name}`, () => {
    let session: ContractSession | undefined;
    beforeEach(async () => {
      session = new ContractSession(await factory());
    });
    afterEach(async () => {
      await session?.end();
      session = undefined;
    });
    for (const which of CASE_NAMES) {
      const reason = skips[which];
      if (reason !== undefined) it.skip(`${which} (skipped: ${reason})`, () => undefined);
      else
        it(which, async () => {
          if (session === undefined) throw new Error('no subject: the factory failed');
          await CONTRACT_CASES[which](session);
        });
    }
  });
}
