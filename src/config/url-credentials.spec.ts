import { maskUrlCredentials } from './url-credentials';

describe('maskUrlCredentials', () => {
  it.each([
    ['postgres://app:hunter2@db:5432/oauth', 'postgres://app:***@db:5432/oauth'],
    ['redis://:hunter2@cache:6379', 'redis://:***@cache:6379'],
    ['postgres://app:hun/ter2@db/oauth', 'postgres://***@db/oauth'], // "/" in the password
    ['postgres://app:12/hunter2@db/oauth', 'postgres://***@db/oauth'], // parses, but "@" left in the path
    ['postgres://app:hun@ter2@db/oauth', 'postgres://app:***@db/oauth'], // "@" in the password
    ['postgres://app:p%40ss%2Fw@db/oauth', 'postgres://app:***@db/oauth'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['not a url', 'not a url'],
    ['sqlite:data/oauth.sqlite', 'sqlite:data/oauth.sqlite'],
  ])('%s → %s', (input, masked) => {
    expect(maskUrlCredentials(input)).toBe(masked);
    expect(maskUrlCredentials(input)).not.toMatch(/hunter2|ter2|hun|p%40ss/);
  });
});
