import { AsyncLocalStorage } from 'node:async_hooks';
import type { Response } from 'express';

const storage = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` with an AbortSignal that fires when the client of `res` disconnects before the
 * response is finished. Database work of that request reads it (DatabaseService) and is refused
 * before it commits: a client that gave up will retry with the token it holds, and that token must
 * then still be unused (issue 13, item 2). Bound to the OAuth server's routes by
 * RequestSignalInterceptor, not to every route of the application (issue 14).
 */
export function runWithRequestSignal<T>(res: Response, fn: () => T): T {
  const controller = new AbortController();
  // The guards ran before this: a client may already be gone.
  if (res.destroyed && !res.writableFinished) controller.abort();
  else
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
  return storage.run(controller.signal, fn);
}

/** The signal of the HTTP request this code runs for, if any. */
export function currentRequestSignal(): AbortSignal | undefined {
  return storage.getStore();
}
