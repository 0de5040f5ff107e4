import type { Response } from 'express';

/** RFC 6749 §5.1: responses carrying tokens or their errors MUST NOT be cached. */
export function setNoStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}
