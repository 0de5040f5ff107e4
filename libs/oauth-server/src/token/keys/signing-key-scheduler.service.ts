import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SchedulerLease } from './scheduler-lease.service';
import { KEY_RELOAD_INTERVAL_MS } from './signing-key-schedule';
import { SigningKeysService } from './signing-keys.service';

export const SIGNING_KEYS_LEASE = 'signing_keys';
/** Renewed on every tick by the holder; a dead holder's lease passes on after this long. */
export const LEASE_TTL_MS = 30_000;
/**
 * Between ticks every instance re-reads the key set this often (one small SELECT): an emergency
 * retirement on one instance stops the others signing with and accepting that kid within about
 * a second, not a whole KEY_RELOAD_INTERVAL_MS (review L3).
 */
export const KEY_REFRESH_INTERVAL_MS = 1_000;

/**
 * Every instance ticks every KEY_RELOAD_INTERVAL_MS (real time): the one holding the lease applies
 * the scheduled step (create a pending key, retire the superseded one, remove expired ones), and
 * every instance re-reads the key set. The pending period (JWKS max-age + this interval + margin)
 * is longer than the interval, so every instance has loaded a key before it signs.
 * Tests drive `tick()` themselves after moving the fake clock.
 */
@Injectable()
export class SigningKeyScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeyScheduler.name);
  private timer?: NodeJS.Timeout;
  private refreshTimer?: NodeJS.Timeout;
  /** The tail of this instance's queue of ticks and reloads; always resolves. */
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly keys: SigningKeysService,
    private readonly lease: SchedulerLease,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    // Only a serving instance ticks: a one-shot CLI context (no HTTP adapter) must not hold the
    // lease or perform scheduled steps on its own clock.
    if (!this.adapterHost.httpAdapter) return;
    this.timer = setInterval(() => void this.tick().catch((error: Error) => this.logger.warn(`signing-key tick failed: ${error.message}`)), KEY_RELOAD_INTERVAL_MS);
    this.timer.unref();
    this.refreshTimer = setInterval(() => void this.refresh().catch((error: Error) => this.logger.warn(`signing-key reload failed: ${error.message}`)), KEY_REFRESH_INTERVAL_MS);
    this.refreshTimer.unref();
  }

  /** Whether this instance ticks on its own (a serving instance, not a CLI context). */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.refreshTimer);
    this.timer = undefined;
    this.refreshTimer = undefined;
    await this.running.catch(() => undefined);
  }

  /** A re-read of the key set only, queued behind (never beside) a running tick. */
  private refresh(): Promise<void> {
    const result = this.running.then(() => this.keys.reload());
    // The queue itself never rejects: a failed reload is the caller's to report, not an unhandled
    // rejection (which ends the process).
    this.running = result.catch(() => undefined);
    return result;
  }

  /** One tick; ticks never overlap within an instance. Returns whether this instance held the lease. */
  tick(): Promise<boolean> {
    const result = this.running.then(async () => {
      // An instance whose clock is off beyond the tolerated skew does not even take the lease:
      // holding it while refusing to step would stall the schedule for everyone (review H1).
      const now = await this.keys.scheduleClock();
      const holder = now !== undefined && (await this.lease.tryAcquire(SIGNING_KEYS_LEASE, LEASE_TTL_MS));
      if (holder) await this.keys.applyScheduledStep(now);
      else await this.keys.reload();
      return holder;
    });
    // Never a rejected queue: with the database down, a failed tick left `running` rejected and
    // unhandled, and Node ended the process (found by the PostgreSQL stop/start fault scenario).
    this.running = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
