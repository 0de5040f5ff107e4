import type { FactoryProvider } from '@nestjs/common';
import type { Environment } from './environment';

/** The validated environment, parsed once per application (the namespaces and the library options read it). */
export const ENVIRONMENT = Symbol('ENVIRONMENT');

/** One settings namespace of the service, derived from the environment (what `registerAs` was). */
export function fromEnvironment<T>(name: string, derive: (env: Environment) => T): { KEY: string; provider: FactoryProvider<T> } {
  const KEY = `service:${name}`;
  return { KEY, provider: { provide: KEY, inject: [ENVIRONMENT], useFactory: derive } };
}

export type SettingsOf<N> = N extends { provider: FactoryProvider<infer T> } ? T : never;
