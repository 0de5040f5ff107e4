import type { INestApplicationContext } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { CLIENT_AUTH_METHODS, ClientAuthMethod } from '../clients/client-auth-method';
import { ClientsRepository } from '../clients/clients.repository';
import { ClientsService } from '../clients/clients.service';
import { Scope } from '../common/scope';
import { GrantHandlerRegistry } from '../token/grants/grant-handler.registry';
import { RevokeSelector, TokenFamiliesAdmin } from '../token/refresh-tokens/token-families-admin.service';
import { TokenFamiliesService } from '../token/refresh-tokens/token-families.service';
import { CliError } from './cli-error';

export interface CliCommand {
  usage: string;
  run(app: INestApplicationContext, args: string[]): Promise<unknown>;
}

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

function parse(args: string[], options: Options, positionals = 0) {
  const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
  if (parsed.positionals.length !== positionals) throw new CliError(`expected ${positionals} argument(s)`);
  return parsed as { values: Record<string, string | string[] | boolean | undefined>; positionals: string[] };
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`--${name} is required`);
  return value;
}

const clientsCreate: CliCommand = {
  usage:
    'clients:create --name N [--auth-method client_secret_basic|client_secret_post|none] [--grant-types a,b] [--scope "x y"] [--redirect-uri URL]... [--allowed-origin https://app.example]... [--allow-introspection]',
  async run(app, args) {
    const { values } = parse(args, {
      name: { type: 'string' },
      'auth-method': { type: 'string', default: 'client_secret_basic' },
      'grant-types': { type: 'string' },
      scope: { type: 'string', default: '' },
      'redirect-uri': { type: 'string', multiple: true, default: [] },
      'allowed-origin': { type: 'string', multiple: true, default: [] },
      'allow-introspection': { type: 'boolean', default: false },
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
    });
  },
};

const clientsList: CliCommand = {
  usage: 'clients:list',
  run: (app, args) => (parse(args, {}), app.get(ClientsService).list()),
};

const clientsDisable: CliCommand = {
  usage: 'clients:disable <client_id>',
  async run(app, args) {
    const [clientId] = parse(args, {}, 1).positionals;
    await app.get(ClientsService).disable(clientId);
    return { client_id: clientId, disabled: true };
  },
};

const clientsRotateSecret: CliCommand = {
  usage: 'clients:rotate-secret <client_id>',
  run: (app, args) => app.get(ClientsService).rotateSecret(parse(args, {}, 1).positionals[0]),
};

const tokensIssue: CliCommand = {
  usage: 'tokens:issue --client-id ID --subject SUB [--scope "x y"]',
  async run(app, args) {
    const { values } = parse(args, { 'client-id': { type: 'string' }, subject: { type: 'string' }, scope: { type: 'string' } });
    const client = await app.get(ClientsRepository).findById(required(values, 'client-id'));
    if (!client || client.disabledAt !== null) throw new CliError('no enabled client with that id');
    if (!client.allowsGrant('refresh_token')) throw new CliError('the client is not registered for the refresh_token grant');
    const requested = values.scope === undefined ? Scope.parse(client.scope) : Scope.parseStrict(String(values.scope));
    if (requested === null || !requested.isSubsetOf(Scope.parse(client.scope))) {
      throw new CliError(`--scope must be within the client's scope "${client.scope}"`);
    }
    return app.get(TokenFamiliesService).startFamily(client, required(values, 'subject'), requested.toString());
  },
};

const tokensList: CliCommand = {
  usage: 'tokens:list --subject SUB',
  async run(app, args) {
    const { values } = parse(args, { subject: { type: 'string' } });
    return app.get(TokenFamiliesAdmin).listLive(required(values, 'subject'));
  },
};

const tokensRevoke: CliCommand = {
  usage: 'tokens:revoke --subject SUB | --client-id ID | --family ID',
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
  'clients:disable': clientsDisable,
  'clients:rotate-secret': clientsRotateSecret,
  'tokens:issue': tokensIssue,
  'tokens:list': tokensList,
  'tokens:revoke': tokensRevoke,
};
