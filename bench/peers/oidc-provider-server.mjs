// Peer: node-oidc-provider 9 with an in-memory adapter (nothing durable), configured
// as close to the service as it allows: refresh_token with rotation, client_credentials with ES256
// JWT access tokens (a resource server, RFC 8707), introspection (RFC 7662) of its opaque access
// tokens (it introspects only those). `POST /bench/seed {scenario, count}` (bench only) mints the
// starting tokens through the provider's own models, as an authorization-code exchange would have.
// Environment: PORT, ISSUER, CLIENT_ID, CLIENT_SECRET, PEER_CC_FORMAT (jwt|opaque, default jwt).
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const RESOURCE = 'urn:bench:api';
const { PORT, ISSUER, CLIENT_ID, CLIENT_SECRET } = process.env;
const format = process.env.PEER_CC_FORMAT === 'opaque' ? 'opaque' : 'jwt';

/**
 * Its shipped quick-start adapter is an LRU of 1 000 entries: under load it evicts live grants and
 * refresh tokens (every later refresh of those chains is invalid_grant). This one keeps every entry
 * in Maps until it expires, with the same contract (consume, grant revocation, uid/user-code look-ups).
 */
class MapAdapter {
  static entries = new Map();
  static grants = new Map();

  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    MapAdapter.entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (payload.grantId) {
      const keys = MapAdapter.grants.get(payload.grantId) ?? new Set();
      MapAdapter.grants.set(payload.grantId, keys.add(key));
    }
  }

  async find(id) {
    const entry = MapAdapter.entries.get(this.key(id));
    if (!entry) return undefined;
    if (Date.now() >= entry.expiresAt) return void MapAdapter.entries.delete(this.key(id));
    return entry.payload;
  }

  async findByUid(uid) {
    for (const [key, entry] of MapAdapter.entries) if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid) return entry.payload;
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [key, entry] of MapAdapter.entries) if (key.startsWith(`${this.model}:`) && entry.payload.userCode === userCode) return entry.payload;
    return undefined;
  }

  async consume(id) {
    const entry = MapAdapter.entries.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    MapAdapter.entries.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of MapAdapter.grants.get(grantId) ?? []) MapAdapter.entries.delete(key);
    MapAdapter.grants.delete(grantId);
  }
}

const jwk = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'bench' };
const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      // refresh_token is only accepted next to authorization_code (which issues the first one).
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  adapter: MapAdapter,
  jwks: { keys: [jwk] },
  routes: { token: '/oauth/token', introspection: '/oauth/introspect' },
  rotateRefreshToken: true,
  // offline_access among the scopes is what enables its refresh_token grant.
  scopes: ['openid', 'offline_access', 'api'],
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  ttl: { AccessToken: 900, ClientCredentials: 900, RefreshToken: 14 * 86_400, Grant: 30 * 86_400 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'api', audience: RESOURCE, accessTokenTTL: 900, accessTokenFormat: format, jwt: { sign: { alg: 'ES256' } } }),
    },
  },
});

async function seed(scenario, count) {
  const client = await provider.Client.find(CLIENT_ID);
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const accountId = `bench-user-${i}`;
    const grant = new provider.Grant({ accountId, clientId: CLIENT_ID });
    grant.addResourceScope(RESOURCE, 'api');
    const grantId = await grant.save();
    if (scenario === 'introspection') {
      // No resource server: an opaque token, the only kind its introspection answers for.
      tokens.push(await new provider.AccessToken({ client, accountId, grantId, scope: 'api', gty: 'authorization_code' }).save());
    } else {
      tokens.push(await new provider.RefreshToken({ client, accountId, grantId, scope: 'api', resource: RESOURCE, gty: 'authorization_code' }).save());
    }
  }
  return tokens;
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url !== '/bench/seed') return callback(req, res);
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', async () => {
    try {
      const { scenario, count } = JSON.parse(body);
      const text = JSON.stringify({ tokens: await seed(scenario, count) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(text);
    } catch (error) {
      res.writeHead(500).end(String(error.stack));
    }
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(PORT), '127.0.0.1', () => process.stdout.write(`oidc-provider listening (Map adapter, client_credentials ${format})\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
