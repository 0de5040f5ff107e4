import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { CliError } from './cli/cli-error';
import { commands } from './cli/commands';
import { ClientAdminError, ClientFieldError } from 'nest-oauth-server';
import { ConfigurationError, issuerCorrection, loadEnvironment } from './config/environment';

/** Admin CLI: same configuration and database as the server; JSON on stdout, errors on stderr. */
const usage = () => `usage: npm run --silent cli -- <command> [--help]\n${Object.values(commands).map((c) => `  ${c.usage}`).join('\n')}\n`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`error: unknown command "${name}"\n${usage()}`);
    return 1;
  }
  // Help needs no configuration and no database.
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: npm run --silent cli -- ${command.usage}\n\n${command.description}\n`);
    return 0;
  }
  // keys:rewrap is what moves plaintext keys under the KEK, so it alone reads them without
  // KEY_ENCRYPTION_ALLOW_PLAINTEXT (which serving instances need only during that move).
  if (name === 'keys:rewrap') process.env.KEY_ENCRYPTION_ALLOW_PLAINTEXT = 'true';
  const env = loadEnvironment();
  const correction = issuerCorrection();
  if (correction) process.stderr.write(`warning: ${correction}\n`);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: false, abortOnError: false });
  try {
    const result = await command.run(app, args);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const expected = [CliError, ClientAdminError, ClientFieldError, ConfigurationError].some((type) => error instanceof type);
    const message = expected || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (error as Error).message : String((error as Error)?.stack ?? error);
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  },
);
