import type { HttpAdapterHost } from '@nestjs/core';
import type { SchedulerLease } from './scheduler-lease.service';
import { SigningKeyScheduler } from './signing-key-scheduler.service';
import type { SigningKeysService } from './signing-keys.service';

describe('SigningKeyScheduler', () => {
  const down = () => Promise.reject(new Error('connect ECONNREFUSED'));

  function scheduler(keys: Partial<SigningKeysService>): SigningKeyScheduler {
    const lease = { tryAcquire: jest.fn(async () => false) } as unknown as SchedulerLease;
    return new SigningKeyScheduler(keys as SigningKeysService, lease, { httpAdapter: undefined } as unknown as HttpAdapterHost);
  }

  it('a tick that fails (database down) leaves no rejected promise behind, so the process lives on', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const subject = scheduler({ scheduleClock: down, reload: jest.fn(async () => undefined) });
      await expect(subject.tick()).rejects.toThrow('ECONNREFUSED');
      // The queue of ticks and reloads goes on: the next tick runs rather than inheriting the failure.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
      const keys = { scheduleClock: jest.fn(async () => 1_000), reload: jest.fn(async () => undefined) };
      Object.assign(subject, { keys });
      await expect(subject.tick()).resolves.toBe(false);
      expect(keys.reload).toHaveBeenCalledTimes(1);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('a failed tick does not fail the reload queued behind it', async () => {
    const reload = jest.fn(async () => undefined);
    const subject = scheduler({ scheduleClock: down, reload });
    const tick = subject.tick();
    await expect(tick).rejects.toThrow('ECONNREFUSED');
    await expect((subject as unknown as { refresh(): Promise<void> }).refresh()).resolves.toBeUndefined();
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
