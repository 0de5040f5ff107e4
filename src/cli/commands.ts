import type { INestApplicationContext } from '@nestjs/common';
import { CLIENT_AUTH_METHODS, ClientAuthMethod, ClientsService, Clock, DatabaseService, GrantHandlerRegistry, OAuthError, readJwksFile, RefreshTokenFamilies, RevokeSelector, TokenFamiliesAdmin, type TokenResponse } from 'nest-oauth-server';
import { issuerMismatchWarning, recentIssuers } from '../boot/service-issuers';
import { appConfig, AppConfig } from '../config/app.config';
import { CliCommand, parse, required } from './cli-args';
import { clientsDelete, clientsDisable, clientsEnable, clientsRotateSecret, clientsShow, clientsUpdate } from './client-commands';
import { CliError } from './cli-error';
import { keysCommands } from './keys-commands';

export type { CliCommand } from './cli-args';

const clientsCreate: CliCommand = {
  usage:
    'clients:create --name N [--auth-method client_secret_basic|client_secret_post|none|private_key_jwt [--jwks-uri URL | --jwks FILE]] [--grant-types a,b] [--scope "x y"] [--redirect-uri URL]... [--allowed-origin https://app.example]... [--allow-introspection] [--require-par] [--dpop-bound]',
  description:
    'Registers a client and prints it with its secret (shown once; only its hash is stored; private_key_jwt clients get none and register public keys). Default grant types: refresh_token, or authorization_code,refresh_token with a --redirect-uri.',
  async run(app, args) {
    const { values } = parse(args, {
      name: { type: 'string' },
      'auth-method': { type: 'string', default: 'client_secret_basic' },
      'grant-types': { type: 'string' },
      scope: { type: 'string', default: '' },
      'redirect-uri': { type: 'string', multiple: true, default: [] },
      'allowed-origin': { type: 'string', multiple: true, default: [] },
      'allow-introspection': { type: 'boolean', default: false },
      'require-par': { type: 'boolean', default: false },
      jwks: { type: 'string' },
      'jwks-uri': { type: 'string' },
      // RFC 9449 §5.2 dpop_bound_access_tokens: DPoP on every token request of this client.
      'dpop-bound': { type: 'boolean', default: false },
    });
    const authMethod = values['auth-method'] as ClientAuthMethod;
    if (!CLIENT_AUTH_METHODS.includes(authMethod)) throw new CliError(`--auth-method must be one of ${CLIENT_AUTH_METHODS.join(', ')}`);
    const redirectUris = values['redirect-uri'] as string[];
    // A client with redirect URIs is there for the code flow; otherwise tokens come from tokens:issue.
    const defaultGrants = redirectUris.length > 0 ? 'authorization_code,refresh_token' : 'refresh_token';
    const grantTypes = String(values['grant-types'] ?? defaultGrants).split(',').map((grant) => grant.trim()).filter(Boolean);
    const known = app.get(GrantHandlerRegistry).grantTypes();
    const unknown = grantTypes.filter((grant) => !known.includes(grant));
    if (unknown.length > 0) throw new CliError(`unknown grant type(s) ${unknown.join(', ')}; supported: ${known.join(', ')}`);
    return app.get(ClientsService).create({
      name: required(values, 'name'),
      tokenEndpointAuthMethod: authMethod,
      grantTypes,
      scope: String(values.scope),
      redirectUris,
      allowIntrospection: values['allow-introspection'] === true,
      allowedCorsOrigins: values['allowed-origin'] as string[],
      requirePushedAuthorizationRequests: values['require-par'] === true,
      jwks: values.jwks === undefined ? undefined : readJwksFile(String(values.jwks)),
      jwksUri: values['jwks-uri'] === undefined ? undefined : String(values['jwks-uri']),
      dpopBoundAccessTokens: values['dpop-bound'] === true,
    });
  },
};

const clientsList: CliCommand = {
  usage: 'clients:list',
  description: 'Prints every client registration (never a secret).',
  run: (app, args) => (parse(args, {}), app.get(ClientsService).list()),
};

const tokensIssue: CliCommand = {
  usage: 'tokens:issue --client-id ID --subject SUB [--scope "x y"]',
  description: "Starts a new token family for a subject and prints an RFC 6749 §5.1 response; the scope must lie within the client's (default: all of it).",
  async run(app, args) {
    const { values } = parse(args, { 'client-id': { type: 'string' }, subject: { type: 'string' }, scope: { type: 'string' } });
    const clientId = required(values, 'client-id');
    const subject = required(values, 'subject');
    let response: TokenResponse;
    try {
      response = await app.get(RefreshTokenFamilies).start({ client: clientId, subject, scope: values.scope === undefined ? undefined : String(values.scope), grantType: 'bootstrap' });
    } catch (error) {
      // The one eligibility policy speaks OAuth; the CLI reports its reason as one line.
      if (error instanceof OAuthError) throw new CliError(`${error.code}: ${error.description}`);
      throw error;
    }
    await warnOnIssuerMismatch(app);
    return response;
  },
};

/** Tokens minted under another issuer than the servers' are inactive there: say so (stderr). */
async function warnOnIssuerMismatch(app: INestApplicationContext): Promise<void> {
  const issuer = app.get<AppConfig>(appConfig.KEY).issuer;
  const servers = await recentIssuers(app.get(DatabaseService), app.get(Clock).now());
  if (servers.length > 0 && !servers.includes(issuer)) process.stderr.write(`warning: ${issuerMismatchWarning(issuer, servers, 'this CLI')}\n`);
}

const tokensList: CliCommand = {
  usage: 'tokens:list --subject SUB',
  description: "Lists a subject's live families (ids, client, scope, times; never tokens).",
  async run(app, args) {
    const { values } = parse(args, { subject: { type: 'string' } });
    return app.get(TokenFamiliesAdmin).listLive(required(values, 'subject'));
  },
};

const tokensRevoke: CliCommand = {
  usage: 'tokens:revoke --subject SUB | --client-id ID | --family ID',
  description: 'Revokes the selected families ("log out everywhere"); their refresh and access tokens introspect inactive.',
  async run(app, args) {
    const { values } = parse(args, { subject: { type: 'string' }, 'client-id': { type: 'string' }, family: { type: 'string' } });
    const given = (['subject', 'client-id', 'family'] as const).filter((name) => values[name] !== undefined);
    if (given.length !== 1) throw new CliError('give exactly one of --subject, --client-id, --family');
    const value = required(values, given[0]);
    const selector: RevokeSelector =
      given[0] === 'subject' ? { subject: value } : given[0] === 'client-id' ? { clientId: value } : { familyId: value };
    return app.get(TokenFamiliesAdmin).revoke(selector);
  },
};

export const commands: Record<string, CliCommand> = {
  'clients:create': clientsCreate,
  'clients:list': clientsList,
  'clients:show': clientsShow,
  'clients:update': clientsUpdate,
  'clients:disable': clientsDisable,
  'clients:enable': clientsEnable,
  'clients:delete': clientsDelete,
  'clients:rotate-secret': clientsRotateSecret,
  'tokens:issue': tokensIssue,
  'tokens:list': tokensList,
  'tokens:revoke': tokensRevoke,
  ...keysCommands,
};
