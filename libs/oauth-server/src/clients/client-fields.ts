import { readFileSync } from 'node:fs';
import type { ClientEntity } from './client.entity';

/** How a field's value is written on the command line and in the admin API's JSON. */
export type ClientFieldKind =
  | 'text' // CLI: --opt VALUE; JSON: a string
  | 'list' // CLI: --opt VALUE, repeatable; JSON: an array of strings
  | 'csv' // CLI: --opt a,b; JSON: an array of strings
  | 'boolean' // CLI: --opt true|false; JSON: a boolean
  | 'jwks'; // CLI: --opt FILE (a JWK Set as JSON); JSON: a JWK Set object

export interface ClientField {
  /** The entity property it sets. */
  property: keyof ClientEntity;
  /** The RFC 7591 name in views and in the admin API's JSON body. */
  view: string;
  /** The CLI option of clients:update. */
  option: string;
  kind: ClientFieldKind;
}

/**
 * The fields `clients:update` and `PATCH /admin/clients/:id` may change. Adding one (an entity
 * column) is one line here; consistency rules live in ClientsService.update.
 */
export const UPDATABLE_CLIENT_FIELDS: readonly ClientField[] = [
  { property: 'name', view: 'client_name', option: 'name', kind: 'text' },
  { property: 'scope', view: 'scope', option: 'scope', kind: 'text' },
  { property: 'redirectUris', view: 'redirect_uris', option: 'redirect-uri', kind: 'list' },
  { property: 'grantTypes', view: 'grant_types', option: 'grant-types', kind: 'csv' },
  { property: 'allowedCorsOrigins', view: 'allowed_cors_origins', option: 'allowed-origin', kind: 'list' },
  { property: 'allowIntrospection', view: 'allow_introspection', option: 'allow-introspection', kind: 'boolean' },
  { property: 'requirePushedAuthorizationRequests', view: 'require_pushed_authorization_requests', option: 'require-par', kind: 'boolean' },
  // private_key_jwt keys (RFC 7591 §2); setting one replaces the other, "" clears jwks_uri.
  { property: 'jwks', view: 'jwks', option: 'jwks', kind: 'jwks' },
  { property: 'jwksUri', view: 'jwks_uri', option: 'jwks-uri', kind: 'text' },
  { property: 'dpopBoundAccessTokens', view: 'dpop_bound_access_tokens', option: 'dpop-bound', kind: 'boolean' },
];

export type ClientChanges = Partial<Record<keyof ClientEntity, string | string[] | boolean | object>>;

export class ClientFieldError extends Error {}

/** A JSON body of the admin API → changes; unknown names and wrong types are refused. */
export function changesFromJson(body: unknown): ClientChanges {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ClientFieldError('the body must be a JSON object');
  const changes: ClientChanges = {};
  for (const [name, value] of Object.entries(body)) {
    const field = UPDATABLE_CLIENT_FIELDS.find((candidate) => candidate.view === name);
    if (!field) throw new ClientFieldError(`${name} cannot be updated; updatable: ${UPDATABLE_CLIENT_FIELDS.map((f) => f.view).join(', ')}`);
    const ok =
      field.kind === 'text' ? typeof value === 'string'
      : field.kind === 'boolean' ? typeof value === 'boolean'
      : field.kind === 'jwks' ? typeof value === 'object' && value !== null && !Array.isArray(value)
      : Array.isArray(value) && value.every((v) => typeof v === 'string');
    if (!ok) throw new ClientFieldError(`${name} must be ${field.kind === 'text' ? 'a string' : field.kind === 'boolean' ? 'a boolean' : field.kind === 'jwks' ? 'a JWK Set object' : 'an array of strings'}`);
    changes[field.property] = value as string | string[] | boolean | object;
  }
  return changes;
}

/** Parsed CLI option values (node:util parseArgs) → changes. */
export function changesFromOptions(values: Record<string, string | string[] | boolean | undefined>): ClientChanges {
  const changes: ClientChanges = {};
  for (const field of UPDATABLE_CLIENT_FIELDS) {
    const value = values[field.option];
    if (value === undefined) continue;
    if (field.kind === 'boolean') {
      if (value !== 'true' && value !== 'false') throw new ClientFieldError(`--${field.option} must be true or false`);
      changes[field.property] = value === 'true';
    } else if (field.kind === 'jwks') {
      changes[field.property] = readJwksFile(String(value));
    } else if (field.kind === 'csv') {
      changes[field.property] = String(value).split(',').map((item) => item.trim()).filter(Boolean);
    } else {
      changes[field.property] = value;
    }
  }
  return changes;
}

/** parseArgs options for the updatable fields. */
export function updateOptions(): Record<string, { type: 'string'; multiple?: boolean }> {
  return Object.fromEntries(UPDATABLE_CLIENT_FIELDS.map((field) => [field.option, { type: 'string' as const, ...(field.kind === 'list' ? { multiple: true } : {}) }]));
}

/** `--jwks FILE`: the file's text (a JWK Set; validated by ClientsService). */
export function readJwksFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ClientFieldError(`--jwks: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
