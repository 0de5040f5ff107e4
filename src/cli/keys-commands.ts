import type { INestApplicationContext } from '@nestjs/common';
import { KeysAdmin } from 'nest-oauth-server';
import { CliError } from './cli-error';

interface KeysCommand {
  usage: string;
  run(app: INestApplicationContext, args: string[]): Promise<unknown>;
}

function expectArgs(args: string[], count: number): string[] {
  if (args.length !== count || args.some((arg) => arg.startsWith('-'))) throw new CliError(`expected ${count} argument(s)`);
  return args;
}

/** Signing-key lifecycle and key encryption (docs/production.md, "Signing keys"). */
export const keysCommands: Record<string, KeysCommand> = {
  'keys:list': {
    usage: 'keys:list',
    run: (app, args) => (expectArgs(args, 0), app.get(KeysAdmin).list()),
  },
  'keys:rotate': {
    usage: 'keys:rotate                 (a pending key, signing after the propagation delay)',
    run: (app, args) => (expectArgs(args, 0), app.get(KeysAdmin).rotate()),
  },
  'keys:retire': {
    usage: 'keys:retire <kid>           (emergency: unpublished now, its tokens rejected)',
    async run(app, args) {
      const [kid] = expectArgs(args, 1);
      const result = await app.get(KeysAdmin).retire(kid);
      if (!result) throw new CliError(`no published signing key has kid ${kid}`);
      return result;
    },
  },
  'keys:rewrap': {
    usage: 'keys:rewrap                 (re-seal every stored key with KEY_ENCRYPTION_KEY)',
    run: (app, args) => (expectArgs(args, 0), app.get(KeysAdmin).rewrap()),
  },
};
