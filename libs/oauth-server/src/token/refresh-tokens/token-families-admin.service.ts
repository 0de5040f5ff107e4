import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { SecurityEvents } from '../../events/security-events.service';
import { FamilySelector, RefreshTokenStore } from './refresh-token.store';

/** What an operator may see of a live grant: identifiers and times, never a token. */
export interface FamilyView {
  family_id: string;
  client_id: string;
  subject: string;
  scope: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
}

export type RevokeSelector = { subject: string } | { clientId: string } | { familyId: string };

export interface RevokeResult {
  revoked: number;
  family_ids: string[];
}

export const ADMIN_REVOCATION_REASON = 'admin_revoked';

/**
 * "Log out everywhere" and friends: list a subject's live families and revoke by subject, by
 * client or one family. Shared by the CLI and the admin HTTP API; each revocation is an event.
 */
@Injectable()
export class TokenFamiliesAdmin {
  constructor(
    private readonly repository: RefreshTokenStore,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
  ) {}

  async listLive(subject: string): Promise<FamilyView[]> {
    const families = await this.repository.liveFamilies({ subject }, this.clock.now());
    return families.map((family) => ({
      family_id: family.id,
      client_id: family.clientId,
      subject: family.subject,
      scope: family.scope,
      created_at: new Date(family.createdAt).toISOString(),
      last_used_at: new Date(family.lastUsedAt).toISOString(),
      expires_at: new Date(family.expiresAt).toISOString(),
    }));
  }

  /**
   * Every family of a client, revoked in bounded steps (CLIENT_FAMILY_BATCH per statement) without
   * loading their ids, and one event with the count: a client with a million families is
   * disabled in as many short units of work as it takes, each of which commits (review M5).
   */
  async revokeClient(clientId: string, reason: string): Promise<number> {
    const now = this.clock.now();
    let revoked = 0;
    for (;;) {
      const step = await this.repository.revokeClientFamiliesBatch(clientId, now, reason, CLIENT_FAMILY_BATCH);
      revoked += step;
      if (step < CLIENT_FAMILY_BATCH) break;
    }
    this.events.emit({ type: 'client_families_revoked', clientId, count: revoked, reason });
    return revoked;
  }

  /** Every family of a client (and their tokens) deleted in bounded steps, before the client itself goes. */
  async deleteClientFamilies(clientId: string): Promise<void> {
    while ((await this.repository.deleteClientFamiliesBatch(clientId, CLIENT_FAMILY_BATCH)) === CLIENT_FAMILY_BATCH);
  }

  async revoke(selector: RevokeSelector, reason = ADMIN_REVOCATION_REASON): Promise<RevokeResult> {
    const [by, where] = toWhere(selector);
    const families = await this.repository.revokeFamilies(where, this.clock.now(), reason);
    for (const family of families) this.events.emit({ type: 'family_revoked', familyId: family.id, clientId: family.clientId, reason });
    this.events.emit({ type: 'families_revoked', by, count: families.length, reason });
    return { revoked: families.length, family_ids: families.map((family) => family.id) };
  }
}

/** Families revoked or deleted per statement when a client goes: a step well inside DATABASE_TIMEOUT. */
export const CLIENT_FAMILY_BATCH = 1000;

function toWhere(selector: RevokeSelector): ['subject' | 'client' | 'family', FamilySelector] {
  if ('subject' in selector) return ['subject', { subject: selector.subject }];
  if ('clientId' in selector) return ['client', { clientId: selector.clientId }];
  return ['family', { id: selector.familyId }];
}
