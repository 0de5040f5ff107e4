import { DatabaseUnavailableError } from './database-unavailable';

/**
 * The deadline and abort state of one unit of database work. The caller is answered when the
 * deadline passes (503, nothing committed) and the work, which may still be queued or blocked in
 * the driver, is then refused before it can commit: an answer of "not done" must stay true, or
 * the client's retry with the refresh token it still holds would meet a rotation it never saw
 * (issue 13, item 2). The same holds when the HTTP client went away before the commit.
 *
 * Once COMMIT is under way the unit waits for its outcome instead (it is bounded by the driver:
 * busy_timeout on SQLite, statement/query timeouts on PostgreSQL), so that a success is never
 * reported as a failure while the deadline races the commit.
 *
 * A unit of work of `Transactions.run` on SQLite does not wait for its `fn` once refused: it rolls
 * back at `refusal` and releases the queue (review M1). Ordinary units keep the rule above: they
 * only touch the database, so their work ends within the driver's own bounds.
 */
export class UnitOfWork {
  private committing = false;
  private expired = false;
  private failure?: Error;
  private rejectCaller?: (error: Error) => void;
  private announceRefusal!: (error: Error) => void;
  /** Resolves with the error once the unit is refused before COMMIT (deadline or disconnect); never otherwise. */
  readonly refusal = new Promise<Error>((resolve) => (this.announceRefusal = resolve));
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.fail(new DatabaseUnavailableError('aborted', 'the client disconnected before the commit'));

  constructor(
    private readonly timeoutMs: number,
    private readonly requestSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      if (!this.committing) this.fail(this.timeoutError());
    }, timeoutMs);
    this.timer.unref();
    if (requestSignal?.aborted) this.onAbort();
    else requestSignal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** True once the caller has been (or must be) told that this unit did not happen. */
  get refused(): boolean {
    return this.failure !== undefined || this.expired;
  }

  /** Settles with `work`, or rejects at the deadline / on client disconnect, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    const refused = new Promise<never>((_, reject) => {
      this.rejectCaller = reject;
      if (this.failure) reject(this.failure);
    });
    return Promise.race([work, refused]).finally(() => this.dispose());
  }

  /** Throws when the unit must not (go on to) touch the database. */
  check(): void {
    if (this.failure) throw this.failure;
    if (this.expired) throw this.timeoutError();
  }

  /** Call just before COMMIT: throws if the unit was refused, else the deadline no longer interrupts it. */
  beforeCommit(): void {
    this.check();
    this.committing = true;
  }

  /** The COMMIT failed (the unit may be run again): the deadline applies again. */
  commitFailed(): void {
    this.committing = false;
    if (this.expired) this.fail(this.timeoutError());
  }

  private fail(error: Error): void {
    if (this.committing || this.failure) return;
    this.failure = error;
    this.rejectCaller?.(error);
    this.announceRefusal(error);
  }

  private timeoutError(): DatabaseUnavailableError {
    return new DatabaseUnavailableError('timeout', `database work did not finish within ${this.timeoutMs} ms (DATABASE_TIMEOUT)`);
  }

  private dispose(): void {
    clearTimeout(this.timer);
    this.requestSignal?.removeEventListener('abort', this.onAbort);
  }
}
