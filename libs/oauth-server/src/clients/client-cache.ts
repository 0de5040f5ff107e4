import { performance } from 'node:perf_hooks';

/** Enough for every client of a deployment; a flood of unknown ids only evicts (LRU), never grows memory. */
const DEFAULT_CAPACITY = 10_000;

/**
 * The client rows of token requests, kept between requests (issue 17: a client lookup was one
 * serialized database trip on every token, introspection and revocation request).
 *
 * Correctness rests on two rules:
 * - In this instance, every write of ClientsRepository calls `invalidate()` once it has committed,
 *   and a row read while an invalidation happened is not kept (the generation check), so a
 *   disable, secret rotation, update or delete is seen by the very next request.
 * - Other writers (another instance, the CLI, hand-written SQL) bump `client_registry_version`
 *   through database triggers on `oauth_clients`. A kept row is used only while the last check of
 *   that version *began* less than `maxStalenessMs` ago; a changed version drops every row. So a
 *   write elsewhere is seen at most `maxStalenessMs` (plus one version read) after its COMMIT.
 *   `maxStalenessMs = 0` checks the version before every lookup (one primary-key read instead of
 *   the row and its hydration).
 *
 * Unknown ids are kept too (as null), so a kept known id and a kept unknown id cost the same
 * (issue 10 item 7: lookups must not tell which ids exist).
 */
export class ClientCache<Row> {
  private readonly rows = new Map<string, Row | null>();
  private generation = 0;
  private version?: string;
  private checkedAt = -Infinity;
  private checking?: Promise<void>;

  constructor(
    private readonly readVersion: () => Promise<string>,
    private readonly maxStalenessMs: number,
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async get(clientId: string, load: () => Promise<Row | null>): Promise<Row | null> {
    await this.fresh();
    if (this.rows.has(clientId)) {
      const row = this.rows.get(clientId)!;
      // Most recently used last: Map keeps insertion order, so the first key is the eviction victim.
      this.rows.delete(clientId);
      this.rows.set(clientId, row);
      return row;
    }
    const generation = this.generation;
    const row = await load();
    if (generation === this.generation) {
      this.rows.set(clientId, row);
      if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
    }
    return row;
  }

  /** After a write to oauth_clients by this instance (committed or not: a failed write costs only a reload). */
  invalidate(): void {
    this.generation++;
    this.rows.clear();
  }

  /**
   * One version read at a time (single-flight) while staleness is allowed; with 0, each lookup
   * waits for a read of its own (a read begun earlier may predate a write the lookup must see).
   */
  private async fresh(): Promise<void> {
    if (this.maxStalenessMs === 0) return this.check();
    if (this.now() - this.checkedAt < this.maxStalenessMs) return;
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** The staleness is measured from the start of the read: the rows are known good as of then. */
  private async check(): Promise<void> {
    const started = this.now();
    const version = await this.readVersion();
    if (version !== this.version) {
      this.version = version;
      this.invalidate();
    }
    this.checkedAt = Math.max(this.checkedAt, started);
  }
}
