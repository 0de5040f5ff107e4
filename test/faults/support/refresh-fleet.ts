import type { CliClient } from '../../support/service-process';

/** How long a client waits for an answer before it gives up and retries (a real client's timeout, scaled down). */
export const CLIENT_TIMEOUT_MS = 2500;
const RETRY_DELAY_MS = 250;
const PACE_MS = 30;

export interface Chain {
  /** The refresh token this client holds now: the last one it received in a 200. */
  token: string;
  rotations: number;
  /** A non-retryable answer (400 invalid_grant = the family was revoked or the token lost). */
  broken?: string;
  target: number;
}

export interface FleetStats {
  ok: number;
  unavailable: number;
  unavailableWithoutRetryAfter: number;
  serverErrors: number;
  otherErrors: string[];
  networkErrors: number;
  timeouts: number;
}

const emptyStats = (): FleetStats => ({ ok: 0, unavailable: 0, unavailableWithoutRetryAfter: 0, serverErrors: 0, otherErrors: [], networkErrors: 0, timeouts: 0 });

/**
 * A few dozen refresh clients, each holding its current refresh token and behaving like a real
 * client: on a 503, a connection error or its own timeout it retries with the token it still holds
 * (against the next instance on connection errors); on a 200 it carries on with the new token.
 */
export class RefreshFleet {
  stats = emptyStats();
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    readonly chains: Chain[],
    private readonly client: CliClient,
    /** Base URLs of the instances; the suite replaces an entry when it restarts an instance. */
    readonly targets: string[],
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.chains.map((chain) => this.drive(chain));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Returns the statistics since the last call and starts counting afresh. */
  takeStats(): FleetStats {
    const stats = this.stats;
    this.stats = emptyStats();
    return stats;
  }

  /** One refresh of `chain` now (outside the load), as a client carrying on after the fault. */
  async refreshOnce(chain: Chain): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const outcome = await this.attempt(chain);
      if (outcome !== 'retry') return outcome;
      await sleep(RETRY_DELAY_MS);
    }
    return 0;
  }

  private async drive(chain: Chain): Promise<void> {
    while (this.running && !chain.broken) {
      const outcome = await this.attempt(chain);
      await sleep(outcome === 'retry' ? RETRY_DELAY_MS : PACE_MS);
    }
  }

  private async attempt(chain: Chain): Promise<'retry' | number> {
    const url = this.targets[chain.target % this.targets.length];
    try {
      const response = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${this.client.client_id}:${this.client.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chain.token }).toString(),
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const body = (await response.json()) as { refresh_token?: string; error?: string };
      if (response.status === 200) {
        chain.token = body.refresh_token!;
        chain.rotations++;
        this.stats.ok++;
        return 200;
      }
      if (response.status === 503) {
        this.stats.unavailable++;
        if (!/^\d+$/.test(response.headers.get('retry-after') ?? '')) this.stats.unavailableWithoutRetryAfter++;
        return 'retry';
      }
      if (response.status >= 500) this.stats.serverErrors++;
      else {
        this.stats.otherErrors.push(`${response.status} ${body.error}`);
        chain.broken = `${response.status} ${body.error}`;
      }
      return response.status;
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') this.stats.timeouts++;
      else {
        this.stats.networkErrors++;
        chain.target++;
      }
      return 'retry';
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
