/**
 * The message patterns (NATS subjects, Redis channels, TCP patterns) of the microservice face:
 * `<MICROSERVICE_SUBJECT_PREFIX>.issue|introspect|revoke`, default prefix `oauth`. Read from the
 * environment when the controller's decorators are evaluated, i.e. once at process start (the same
 * process.env that loadEnvironment() validates; an invalid prefix fails the boot there).
 */
export function messageSubject(name: 'issue' | 'introspect' | 'revoke', env: NodeJS.ProcessEnv = process.env): string {
  return `${env.MICROSERVICE_SUBJECT_PREFIX?.trim() || 'oauth'}.${name}`;
}
