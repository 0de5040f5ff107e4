import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OAUTH_SERVER_DATA_SOURCE } from '../database/data-source-name';
import { IsNull, Not, Repository } from 'typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import { DatabaseService } from '../database/database.service';
import { ClientCache } from './client-cache';
import { ClientEntity } from './client.entity';
import { ClientStore } from './client.store';

type ClientRow = Record<string, unknown>;

/** The TypeORM/SQL adapter of ClientStore: a client cache and prepared statements on the per-request lookups. */
@Injectable()
export class ClientsRepository extends ClientStore {
  private authenticationSql?: string;
  private placeholderRow?: Record<string, unknown>;
  /** Raw rows, hydrated per lookup: callers get an entity of their own, never a shared one. */
  private readonly cache: ClientCache<ClientRow>;

  constructor(
    @InjectRepository(ClientEntity, OAUTH_SERVER_DATA_SOURCE) private readonly clients: Repository<ClientEntity>,
    private readonly database: DatabaseService,
    @Inject(databaseConfig.KEY) config: DatabaseConfig,
  ) {
    super();
    this.cache = new ClientCache(() => this.registryVersion(), config.clientCacheMaxStalenessMs);
  }

  /** On every token request: a kept row (ClientCache), else one prepared statement (docs/performance.md). */
  async findById(clientId: string): Promise<ClientEntity | null> {
    const row = await this.cachedRow(clientId);
    return row === null ? null : this.database.hydrate(ClientEntity, row);
  }

  /**
   * The lookup of client authentication, shaped so that an unknown id costs what a known one does
   * (issue 10 item 7: unknown ids answered 25–45 µs faster): the query always returns one row (a
   * LEFT JOIN from the wanted id), and a row is always hydrated, a placeholder one when there is no
   * client. Only then is null returned.
   */
  async findForAuthentication(clientId: string): Promise<ClientEntity | null> {
    const row = await this.cachedRow(clientId);
    const client = this.database.hydrate(ClientEntity, row ?? this.placeholder());
    return row === null ? null : client;
  }

  private cachedRow(clientId: string): Promise<ClientRow | null> {
    // A unit of work may have written a client it has not committed: such a row is never kept.
    if (this.database.inUnitOfWork) return this.loadRow(clientId);
    return this.cache.get(clientId, () => this.loadRow(clientId));
  }

  private loadRow(clientId: string): Promise<ClientRow | null> {
    this.authenticationSql ??= `SELECT ${this.database.selectList(ClientEntity, 'c')} FROM (SELECT CAST($1 AS TEXT) AS wanted) w LEFT JOIN oauth_clients c ON c.client_id = w.wanted`;
    const sql = this.authenticationSql;
    return this.database.sqlRead<ClientRow>(sql, [clientId]).then(([row]) => (row !== undefined && row.client_id !== null && row.client_id !== undefined ? row : null));
  }

  /** Bumped by triggers on every write to oauth_clients, whoever writes (migration 1764700400000). */
  private registryVersion(): Promise<string> {
    return this.database.sqlRead<{ version: number | string }>('SELECT version FROM client_registry_version WHERE id = 1', []).then(([row]) => String(row?.version));
  }

  /** Every write below: the cache of this instance forgets at once (other instances: by the version). */
  private async invalidating<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.cache.invalidate();
      // Inside a unit of work, again at its commit: a lookup between the write and the commit may
      // have kept the row as it was before.
      this.database.afterCommit(() => this.cache.invalidate());
    }
  }

  /** A row like a stored client's, built from the entity's columns (so a new column is covered too). */
  private placeholder(): Record<string, unknown> {
    this.placeholderRow ??= Object.fromEntries(
      this.clients.metadata.columns.map((column) => {
        const type = String(column.type);
        const value = type === 'simple-json' ? '["refresh_token"]' : type === 'boolean' ? 0 : type === 'bigint' ? 0 : 'x'.repeat(32);
        return [column.databaseName, value];
      }),
    );
    return this.placeholderRow;
  }

  list(): Promise<ClientEntity[]> {
    return this.database.run((manager) => manager.find(ClientEntity, { order: { createdAt: 'ASC' } }));
  }

  /** The distinct scope values of enabled clients, sorted (the metadata's `scopes_supported`). */
  async scopesOfEnabledClients(): Promise<string[]> {
    // Through DatabaseService like every other method: queued on SQLite, joining an open unit of work.
    const rows = await this.database.run((manager) =>
      manager.createQueryBuilder(ClientEntity, 'client').select('DISTINCT client.scope', 'scope').where('client.disabled_at IS NULL').getRawMany<{ scope: string }>(),
    );
    const scopes = new Set(rows.flatMap((row) => row.scope.split(' ').filter(Boolean)));
    return [...scopes].sort();
  }

  async insert(client: ClientEntity): Promise<void> {
    await this.invalidating(this.database.transaction((manager) => manager.insert(ClientEntity, client)));
  }

  /**
   * False when the client does not exist. A disabled client keeps its first disabled_at; the
   * tokens_valid_after mark moves to `at` either way (nothing can be issued while disabled).
   */
  async disable(clientId: string, at: number): Promise<boolean> {
    const changed = await this.invalidating(
      this.database.sqlRun((sql) =>
        sql.run('UPDATE oauth_clients SET disabled_at = COALESCE(disabled_at, $1), tokens_valid_after = $1 WHERE client_id = $2', [at, clientId]),
      ),
    );
    return changed > 0;
  }

  async replaceSecretHash(clientId: string, secretHash: string): Promise<boolean> {
    return this.update(clientId, { secretHash, previousSecretHash: null, previousSecretExpiresAt: null });
  }

  async update(clientId: string, columns: Partial<ClientEntity>): Promise<boolean> {
    const result = await this.invalidating(this.database.transaction((manager) => manager.update(ClientEntity, { clientId }, columns)));
    return (result.affected ?? 0) > 0;
  }

  /** False when the client does not exist or is not disabled. */
  async enable(clientId: string): Promise<boolean> {
    const result = await this.invalidating(
      this.database.transaction((manager) => manager.update(ClientEntity, { clientId, disabledAt: Not(IsNull()) }, { disabledAt: null })),
    );
    return (result.affected ?? 0) > 0;
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await this.invalidating(this.database.transaction((manager) => manager.delete(ClientEntity, { clientId })));
    return (result.affected ?? 0) > 0;
  }
}
