/**
 * Runs poll passes one at a time: every `intervalMs` in the background, or at once on request
 * (`runNow`, for tests and a reconciler). Passes never overlap; a failed background pass is
 * reported and the loop goes on; nothing is left as an unhandled rejection.
 */
import { BrokerCallError } from '../broker.js';

export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly venue: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
    private readonly onError: ((error: BrokerCallError) => void) | undefined,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops the timer and waits for the pass in flight, if any. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain.catch(() => undefined);
  }

  /** One pass after the one in flight; rejects with that pass's failure. */
  runNow(): Promise<void> {
    const next = this.chain.catch(() => undefined).then(() => this.pass());
    this.chain = next;
    return next;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.runNow()
        .catch((error: unknown) => {
          this.report(error);
        })
        .finally(() => {
          this.schedule();
        });
    }, this.intervalMs);
    // A process waiting only on the poll loop may exit.
    this.timer.unref();
  }

  private report(error: unknown): void {
    if (this.onError === undefined) return;
    const failure =
      error instanceof BrokerCallError
        ? error
        : new BrokerCallError(this.venue, 'ambiguous', 'BROKER_ERROR', `poll failed: ${String(error)}`);
    try {
      this.onError(failure);
    } catch {
      // A listener's failure must not stop the loop.
    }
  }
}
