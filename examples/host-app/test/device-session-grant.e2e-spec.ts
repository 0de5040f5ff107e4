import { ClientsService } from 'nest-oauth-server';
import { DEVICE_SESSION_GRANT } from '../src/device-sessions/device-session.grant';
import { claims, Client, HostTestApp } from './support/host-test-app';

describe('the host’s own grant type, registered from its DeviceSessionsModule', () => {
  let t: HostTestApp;
  let client: Client;

  beforeAll(async () => {
    t = await HostTestApp.start();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.client();
  });

  const redeem = (c: Client, params: Record<string, string>) => t.token(c, { grant_type: DEVICE_SESSION_GRANT, ...params });

  it('is advertised in the metadata', async () => {
    const res = await t.http().get('/api/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.grant_types_supported).toContain(DEVICE_SESSION_GRANT);
  });

  it('starts a rotating family for the session’s user, with the grant’s own extra field', async () => {
    const res = await redeem(client, { device_session: t.deviceSession(client, 'carol'), scope: 'read' }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String), device_name: 'Living-room TV' });
    expect(claims(res.body.access_token)).toMatchObject({ sub: 'carol', client_id: client.clientId });
    const rotated = await t.refresh(client, res.body.refresh_token).expect(200);
    expect(claims(rotated.body.access_token).sub).toBe('carol');
  });

  it('without a scope, grants the client’s registered scope (RFC 6749 §3.3)', async () => {
    const res = await redeem(client, { device_session: t.deviceSession(client) }).expect(200);
    expect(res.body.scope.split(' ').sort()).toEqual(['read', 'write']);
  });

  it('redeems a device session once, and only for the client it was paired with', async () => {
    const session = t.deviceSession(client);
    const other = await t.client();
    expect((await redeem(other, { device_session: session }).expect(400)).body.error).toBe('invalid_grant');
    await redeem(client, { device_session: session }).expect(200);
    expect((await redeem(client, { device_session: session }).expect(400)).body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('gets client authentication, the grant-type check, parameter and scope errors from the endpoint', async () => {
    await redeem({ clientId: client.clientId, clientSecret: 'wrong' }, { device_session: t.deviceSession(client) }).expect(401, /invalid_client/);
    const notAllowed = await t.client({ grantTypes: ['refresh_token'] });
    expect((await redeem(notAllowed, { device_session: t.deviceSession(notAllowed) }).expect(400)).body.error).toBe('unauthorized_client');
    const missing = await redeem(client, {}).expect(400);
    expect(missing.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('device_session') });
  });

  it('refuses a scope beyond the client’s registration (RFC 6749 §3.3) without spending the session', async () => {
    const session = t.deviceSession(client);
    expect((await redeem(client, { device_session: session, scope: 'admin' }).expect(400)).body.error).toBe('invalid_scope');
    await redeem(client, { device_session: session, scope: 'write' }).expect(200);
  });

  it('spends the session only once the family is committed: a refused redemption leaves the pairing usable', async () => {
    // Not registered for refresh_token: families.start refuses (unauthorized_client) inside the unit of work.
    const noRefresh = await t.client({ grantTypes: [DEVICE_SESSION_GRANT] });
    const session = t.deviceSession(noRefresh);
    expect((await redeem(noRefresh, { device_session: session }).expect(400)).body.error).toBe('unauthorized_client');
    await t.app.get(ClientsService).update(noRefresh.clientId, { grantTypes: [DEVICE_SESSION_GRANT, 'refresh_token'] });
    await redeem(noRefresh, { device_session: session }).expect(200);
    expect((await redeem(noRefresh, { device_session: session }).expect(400)).body.error).toBe('invalid_grant');
  });
});
