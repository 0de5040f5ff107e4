import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { ClientEntity } from './client.entity';

@Injectable()
export class ClientsRepository {
  private findByIdSql?: string;

  constructor(
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
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
    await this.database.run((manager) => manager.insert(ClientEntity, client));
  }

  /** False when the client does not exist or is already disabled. */
  async disable(clientId: string, at: number): Promise<boolean> {
    const result = await this.database.run((manager) =>
      manager.update(ClientEntity, { clientId, disabledAt: IsNull() }, { disabledAt: at }),
    );
    return (result.affected ?? 0) > 0;
  }

  async replaceSecretHash(clientId: string, secretHash: string): Promise<boolean> {
    const result = await this.database.run((manager) => manager.update(ClientEntity, { clientId }, { secretHash }));
    return (result.affected ?? 0) > 0;
  }
}
