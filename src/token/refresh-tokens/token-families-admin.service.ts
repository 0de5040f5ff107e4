import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { SecurityEvents } from '../../events/security-events.service';
import { FamilySelector, RefreshTokensRepository } from './refresh-tokens.repository';

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
    private readonly repository: RefreshTokensRepository,
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

  async revoke(selector: RevokeSelector, reason = ADMIN_REVOCATION_REASON): Promise<RevokeResult> {
    const [by, where] = toWhere(selector);
    const families = await this.repository.revokeFamilies(where, this.clock.now(), reason);
    for (const family of families) this.events.emit({ type: 'family_revoked', familyId: family.id, clientId: family.clientId, reason });
    this.events.emit({ type: 'families_revoked', by, count: families.length, reason });
    return { revoked: families.length, family_ids: families.map((family) => family.id) };
  }
}

function toWhere(selector: RevokeSelector): ['subject' | 'client' | 'family', FamilySelector] {
  if ('subject' in selector) return ['subject', { subject: selector.subject }];
  if ('clientId' in selector) return ['client', { clientId: selector.clientId }];
  return ['family', { id: selector.familyId }];
}
