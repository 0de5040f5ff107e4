import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

const storage = new AsyncLocalStorage<AbortSignal>();

/**
 * Express middleware: an AbortSignal per HTTP request that fires when the client disconnects
 * before the response is finished. Database work of that request reads it (DatabaseService) and
 * is refused before it commits: a client that gave up will retry with the token it holds, and that
 * token must then still be unused (issue 13, item 2).
 */
export function requestSignalMiddleware(req: Request, res: Response, next: NextFunction): void {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  storage.run(controller.signal, next);
}

/** The signal of the HTTP request this code runs for, if any. */
export function currentRequestSignal(): AbortSignal | undefined {
  return storage.getStore();
}
