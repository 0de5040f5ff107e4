import type { ClientEntity } from './client.entity';

/**
 * The storage contract of registered clients, and its DI token (Spring's RegisteredClientRepository).
 * Stores the secret's hash only. Inside `Transactions.run` every method joins that unit of work. The
 * TypeORM/SQL adapter is ClientsRepository.
 */
export abstract class ClientStore {
  abstract findById(clientId: string): Promise<ClientEntity | null>;

  /** Like findById, but an unknown id costs what a known one does (no timing oracle for client ids). */
  abstract findForAuthentication(clientId: string): Promise<ClientEntity | null>;

  /** Every client, oldest first. */
  abstract list(): Promise<ClientEntity[]>;

  /** The distinct scope values of enabled clients, sorted. */
  abstract scopesOfEnabledClients(): Promise<string[]>;

  abstract insert(client: ClientEntity): Promise<void>;

  /** False when the client does not exist; a disabled client keeps its first disabled_at. */
  abstract disable(clientId: string, at: number): Promise<boolean>;

  abstract replaceSecretHash(clientId: string, secretHash: string): Promise<boolean>;

  abstract update(clientId: string, columns: Partial<ClientEntity>): Promise<boolean>;

  /** False when the client does not exist or is not disabled. */
  abstract enable(clientId: string): Promise<boolean>;

  abstract delete(clientId: string): Promise<boolean>;
}
