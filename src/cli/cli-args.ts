import { parseArgs } from 'node:util';
import { CliError } from './cli-error';

export interface CliCommand {
  usage: string;
  /** One or two sentences for `<command> --help`. */
  description: string;
  run(app: import('@nestjs/common').INestApplicationContext, args: string[]): Promise<unknown>;
}

export type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

export function parse(args: string[], options: Options, positionals = 0) {
  const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
  if (parsed.positionals.length !== positionals) throw new CliError(`expected ${positionals} argument(s)`);
  return parsed as { values: Record<string, string | string[] | boolean | undefined>; positionals: string[] };
}

export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`--${name} is required`);
  return value;
}
