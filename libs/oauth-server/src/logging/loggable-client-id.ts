import { sha256Hex } from '../common/secure-random';

/** The shape of the client ids this service makes (16 random bytes as hex, clients.service.ts). */
export const CLIENT_ID_SHAPE = /^[0-9a-f]{32}$/;

/**
 * A claimed client id as it may be logged. A caller that swaps id and secret (or pastes a token into
 * the id) would otherwise get that secret written to the logs: anything without the shape of our ids
 * is logged as a short hash, enough to group repeated attempts, useless to recover the value.
 */
export function loggableClientId(claimed: string): string {
  return CLIENT_ID_SHAPE.test(claimed) ? claimed : `sha256:${sha256Hex(claimed).slice(0, 8)}`;
}
