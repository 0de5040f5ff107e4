import { ClientLifecycleService } from '../admin/client-lifecycle.service';
import { changesFromOptions, MAX_SECRET_OVERLAP_SECONDS, UPDATABLE_CLIENT_FIELDS, updateOptions } from 'nest-oauth-server';
import { CliCommand, parse } from './cli-args';
import { CliError } from './cli-error';

const lifecycle = (app: Parameters<CliCommand['run']>[0]) => app.get(ClientLifecycleService);

const fieldUsage = UPDATABLE_CLIENT_FIELDS.map((field) =>
  field.kind === 'list' ? `[--${field.option} V]...` : field.kind === 'boolean' ? `[--${field.option} true|false]` : field.kind === 'csv' ? `[--${field.option} a,b]` : `[--${field.option} V]`,
).join(' ');

/** The commands that take one client id and nothing else: each is the lifecycle method of its name. */
function onOneClient(method: 'show' | 'disable' | 'enable' | 'delete', description: string): CliCommand {
  return { usage: `clients:${method} <client_id>`, description, run: (app, args) => lifecycle(app)[method](parse(args, {}, 1).positionals[0]) };
}

export const clientsShow: CliCommand = onOneClient('show', 'Prints one client registration (RFC 7591 names; never a secret).');

export const clientsUpdate: CliCommand = {
  usage: `clients:update <client_id> ${fieldUsage}`,
  description:
    'Changes the given fields; the others stay. --redirect-uri replaces the whole list (repeat it for several). The result must be a consistent registration, else nothing changes.',
  async run(app, args) {
    const { values, positionals } = parse(args, updateOptions(), 1);
    const changes = changesFromOptions(values);
    if (Object.keys(changes).length === 0) throw new CliError(`nothing to update: give at least one of ${UPDATABLE_CLIENT_FIELDS.map((f) => `--${f.option}`).join(', ')}`);
    return lifecycle(app).update(positionals[0], changes);
  },
};

export const clientsDisable: CliCommand = onOneClient('disable', 'The client can no longer authenticate; every token family it holds is revoked (its refresh and access tokens introspect inactive).');

export const clientsEnable: CliCommand = onOneClient('enable', 'Lets a disabled client authenticate again; families revoked when it was disabled stay revoked.');

export const clientsDelete: CliCommand = onOneClient('delete', 'Revokes every family of the client, then deletes the registration with all its tokens and codes.');

export const clientsRotateSecret: CliCommand = {
  usage: 'clients:rotate-secret <client_id> [--keep-old-for SECONDS]',
  description: `Prints a new secret (shown once). The old one stops working at once, or with --keep-old-for keeps working for that many seconds (≤ ${MAX_SECRET_OVERLAP_SECONDS}) so a deployment can roll over.`,
  async run(app, args) {
    const { values, positionals } = parse(args, { 'keep-old-for': { type: 'string' } }, 1);
    const raw = values['keep-old-for'];
    if (raw !== undefined && !/^\d+$/.test(String(raw))) throw new CliError('--keep-old-for must be a number of seconds');
    return lifecycle(app).rotateSecret(positionals[0], raw === undefined ? 0 : Number(raw));
  },
};
