import { normalizeIp } from '@nestjs/throttler';
import type { Request } from 'express';

/**
 * The address a per-IP counter is kept for: `req.ip` (after TRUST_PROXY), with an IPv6 /64 as one
 * address, since a host holds a whole /64 and counting each address would let it rotate past a limit.
 */
export function clientAddress(req: Request): string {
  return typeof req.ip === 'string' ? normalizeIp(req.ip) : 'unknown';
}
