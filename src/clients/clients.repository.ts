import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { ClientEntity } from './client.entity';

@Injectable()
export class ClientsRepository {
  constructor(
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    private readonly database: DatabaseService,
  ) {}

  findById(clientId: string): Promise<ClientEntity | null> {
    return this.clients.findOneBy({ clientId });
  }

  list(): Promise<ClientEntity[]> {
    return this.clients.find({ order: { createdAt: 'ASC' } });
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
