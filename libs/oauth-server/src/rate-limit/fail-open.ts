import type { Logger } from '@nestjs/common';

/** What a store outage cost: said in the log line, so an operator knows which protection lapsed. */
export type Lapse = 'request not limited' | 'failure not counted';

/**
 * Every rate limit fails open: with the store down the request is served and the outage logged,
 * because a limiter outage must not take the OAuth endpoints down with it. `work` never rejects
 * through here; `fallback` is the answer in its place.
 */
export async function failOpen<T>(logger: Logger, lapse: Lapse, fallback: T, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    logger.error(`rate limiter unavailable, ${lapse}: ${(error as Error).message}`);
    return fallback;
  }
}
