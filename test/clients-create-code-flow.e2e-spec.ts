import { commands } from '../src/cli/commands';
import { TestApp } from './support/test-app';

describe('clients:create for the code flow', () => {
  let t: TestApp;
  const create = (...args: string[]) => commands['clients:create'].run(t.app, ['--name', 'app', ...args]) as Promise<Record<string, unknown>>;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it('defaults to authorization_code + refresh_token when redirect URIs are given', async () => {
    const client = await create('--auth-method', 'none', '--redirect-uri', 'http://127.0.0.1:8080/cb', '--redirect-uri', 'com.example.app:/cb');
    expect(client).toMatchObject({ grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['http://127.0.0.1:8080/cb', 'com.example.app:/cb'] });
  });

  it('keeps refresh_token as the default without redirect URIs', async () => {
    expect(await create()).toMatchObject({ grant_types: ['refresh_token'], redirect_uris: [] });
  });

  it.each([
    [['--redirect-uri', '/relative'], /absolute/],
    [['--redirect-uri', 'https://app.example/cb#x'], /fragment/],
    [['--redirect-uri', 'javascript:alert(1)'], /scheme/],
    [['--grant-types', 'authorization_code'], /needs at least one --redirect-uri/],
    [['--grant-types', 'client_credentials', '--auth-method', 'none'], /confidential/],
  ])('rejects %j', async (args, message) => {
    await expect(create(...args)).rejects.toThrow(message);
  });
});
