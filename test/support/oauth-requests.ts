import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import type { TestApp, TestClient } from './test-app';

/** POST a form to an OAuth endpoint as `client` (Basic for confidential clients, client_id for public). */
export function postAs(t: TestApp, path: string, client: TestClient, body: Record<string, string>) {
  const req = t.http().post(path).type('form');
  if (client.clientSecret === undefined) return req.send({ ...body, client_id: client.clientId });
  return req.auth(encodeURIComponent(client.clientId), encodeURIComponent(client.clientSecret)).send(body);
}

export const revoke = (t: TestApp, client: TestClient, body: Record<string, string>) => postAs(t, '/oauth/revoke', client, body);
export const introspect = (t: TestApp, client: TestClient, body: Record<string, string>) => postAs(t, '/oauth/introspect', client, body);

/** Signs an ES256 JWT by hand, to present tokens the service did not issue (or issued differently). */
export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject = otherKey()): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg: 'ES256', ...header })}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export function otherKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}
