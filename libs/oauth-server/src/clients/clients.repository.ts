import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OAUTH_SERVER_DATA_SOURCE } from '../database/data-source-name';
import { IsNull, Not, Repository } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { ClientEntity } from './client.entity';

@Injectable()
export class ClientsRepository {
  private findByIdSql?: string;
  private authenticationSql?: string;
  private placeholderRow?: Record<string, unknown>;

  constructor(
    @InjectRepository(ClientEntity, OAUTH_SERVER_DATA_SOURCE) private readonly clients: Repository<ClientEntity>,
    private readonly database: DatabaseService,
  ) {}

  /** On every token request: one prepared statement, no query building (docs/readme/issue-6.md). */
  findById(clientId: string): Promise<ClientEntity | null> {
    this.findByIdSql ??= `SELECT ${this.database.selectList(ClientEntity)} FROM oauth_clients WHERE client_id = $1`;
    const sql = this.findByIdSql;
    return this.database.sqlRun(async (executor) => {
      const rows = await executor.all<Record<string, unknown>>(sql, [clientId]);
      return rows.length === 0 ? null : this.database.hydrate(ClientEntity, rows[0]);
    });
  }

  /**
   * The lookup of client authentication, shaped so that an unknown id costs what a known one does
   * (issue 10 item 7: unknown ids answered 25–45 µs faster): the query always returns one row (a
   * LEFT JOIN from the wanted id), and a row is always hydrated, a placeholder one when there is no
   * client. Only then is null returned.
   */
  findForAuthentication(clientId: string): Promise<ClientEntity | null> {
    this.authenticationSql ??= `SELECT ${this.database.selectList(ClientEntity, 'c')} FROM (SELECT CAST($1 AS TEXT) AS wanted) w LEFT JOIN oauth_clients c ON c.client_id = w.wanted`;
    const sql = this.authenticationSql;
    return this.database.sqlRun(async (executor) => {
      const [row] = await executor.all<Record<string, unknown>>(sql, [clientId]);
      const found = row !== undefined && row.client_id !== null && row.client_id !== undefined;
      const client = this.database.hydrate(ClientEntity, found ? row : this.placeholder());
      return found ? client : null;
    });
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
    return this.clients.find({ order: { createdAt: 'ASC' } });
  }

  /** The distinct scope values of enabled clients, sorted (the metadata's `scopes_supported`). */
  async scopesOfEnabledClients(): Promise<string[]> {
    const rows = await this.clients
      .createQueryBuilder('client')
      .select('DISTINCT client.scope', 'scope')
      .where('client.disabled_at IS NULL')
      .getRawMany<{ scope: string }>();
    const scopes = new Set(rows.flatMap((row) => row.scope.split(' ').filter(Boolean)));
    return [...scopes].sort();
  }

  async insert(client: ClientEntity): Promise<void> {
    await this.database.transaction((manager) => manager.insert(ClientEntity, client));
  }

  /**
   * False when the client does not exist. A disabled client keeps its first disabled_at; the
   * tokens_valid_after mark moves to `at` either way (nothing can be issued while disabled).
   */
  async disable(clientId: string, at: number): Promise<boolean> {
    const changed = await this.database.sqlRun((sql) =>
      sql.run('UPDATE oauth_clients SET disabled_at = COALESCE(disabled_at, $1), tokens_valid_after = $1 WHERE client_id = $2', [at, clientId]),
    );
    return changed > 0;
  }

  async replaceSecretHash(clientId: string, secretHash: string): Promise<boolean> {
    return this.update(clientId, { secretHash, previousSecretHash: null, previousSecretExpiresAt: null });
  }

  async update(clientId: string, columns: Partial<ClientEntity>): Promise<boolean> {
    const result = await this.database.transaction((manager) => manager.update(ClientEntity, { clientId }, columns));
    return (result.affected ?? 0) > 0;
  }

  /** False when the client does not exist or is not disabled. */
  async enable(clientId: string): Promise<boolean> {
    const result = await this.database.transaction((manager) => manager.update(ClientEntity, { clientId, disabledAt: Not(IsNull()) }, { disabledAt: null }));
    return (result.affected ?? 0) > 0;
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await this.database.transaction((manager) => manager.delete(ClientEntity, { clientId }));
    return (result.affected ?? 0) > 0;
  }
}
