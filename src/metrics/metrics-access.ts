import { digestsEqual, sha256Hex } from 'nest-oauth-server';

/**
 * Whether a scrape may read the metrics: always when no METRICS_TOKEN is configured (then only its
 * own listener serves them), else only with `Authorization: Bearer <token>` (RFC 6750 §2.1). Both
 * sides are hashed first so that the comparison is constant-time whatever the presented length.
 */
export class MetricsAccess {
  private readonly expectedHash?: string;

  constructor(token: string | undefined) {
    this.expectedHash = token === undefined ? undefined : sha256Hex(token);
  }

  allows(authorization: string | undefined): boolean {
    if (this.expectedHash === undefined) return true;
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization ?? '');
    return match !== null && digestsEqual(sha256Hex(match[1]), this.expectedHash);
  }

  /** RFC 6750 §3: the challenge of a 401 for a missing or wrong bearer token. */
  static readonly challenge = 'Bearer realm="metrics"';
}
