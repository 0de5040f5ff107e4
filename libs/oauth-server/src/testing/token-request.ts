import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import type { TestClientCredentials } from './create-test-client';

export interface TokenRequestOptions {
  /** Default `/oauth/token`; include a global prefix if the host sets one. */
  path?: string;
  client: TestClientCredentials;
  params: Record<string, string>;
}

/**
 * POST a token request as `client`: form-encoded, with Basic authentication (RFC 6749 §2.3.1:
 * id and secret form-urlencoded first) for a confidential client, `client_id` in the body for a
 * public one. Returns the supertest request, to `.expect(...)` on.
 */
export function tokenRequest(target: INestApplication | Server, { path = '/oauth/token', client, params }: TokenRequestOptions): request.Test {
  const server = 'getHttpServer' in target ? target.getHttpServer() : target;
  const req = request(server).post(path).type('form');
  if (client.clientSecret === undefined) return req.send({ ...params, client_id: client.clientId });
  return req.auth(encodeURIComponent(client.clientId), encodeURIComponent(client.clientSecret)).send(params);
}
