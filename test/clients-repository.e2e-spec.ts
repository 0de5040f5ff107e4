import { ClientEntity, ClientsRepository } from 'nest-oauth-server';
import { TestApp } from './support/test-app';

/** findById runs hand-written SQL on the token endpoint's hot path (issue 6): it must load what TypeORM loads. */
describe('ClientsRepository.findById', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it('loads every column with TypeORM conversions (simple-json, epoch-ms) and the entity class', async () => {
    const { clientId } = await t.createClient({ grantTypes: ['refresh_token'], scope: 'read write', redirectUris: ['https://app.example/cb'] });
    await t.get(ClientsRepository).disable(clientId, 1_700_000_000_123);
    const viaSql = await t.get(ClientsRepository).findById(clientId);
    const viaOrm = await t.dataSource().getRepository(ClientEntity).findOneByOrFail({ clientId });
    expect(viaSql).toBeInstanceOf(ClientEntity);
    expect(viaSql).toEqual(viaOrm);
    expect(viaSql).toMatchObject({ grantTypes: ['refresh_token'], redirectUris: ['https://app.example/cb'], disabledAt: 1_700_000_000_123 });
    expect(typeof viaSql!.createdAt).toBe('number');
    expect(viaSql!.allowsGrant('refresh_token')).toBe(true);
  });

  it('returns null for an unknown client id', async () => {
    expect(await t.get(ClientsRepository).findById('no-such-client')).toBeNull();
  });
});
