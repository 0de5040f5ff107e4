import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { CliError } from './cli/cli-error';
import { commands } from './cli/commands';
import { ClientAdminError } from './clients/clients.service';
import { ConfigurationError, issuerCorrection, loadEnvironment } from './config/environment';

/** Admin CLI: same configuration and database as the server; JSON on stdout, errors on stderr. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = commands[name];
  if (!command) {
    process.stderr.write(`usage: npm run --silent cli -- <command>\n${Object.values(commands).map((c) => `  ${c.usage}`).join('\n')}\n`);
    return name === undefined || name === '--help' ? 0 : 1;
  }
  loadEnvironment();
  const correction = issuerCorrection();
  if (correction) process.stderr.write(`warning: ${correction}\n`);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
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
    const expected = [CliError, ClientAdminError, ConfigurationError].some((type) => error instanceof type);
    const message = expected || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (error as Error).message : String((error as Error)?.stack ?? error);
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  },
);
