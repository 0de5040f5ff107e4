import { holdWriteLock } from './support/database-lock';
import { CodeFlow, codeFlowEnv, LOGIN_URL, pkcePair } from './support/code-flow';
import { postAs } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

/**
 * Review M3: state-changing single statements (the code exchange of a client without refresh
 * tokens, the one-time use of a pushed request) are refused before they commit once the caller
 * was answered 503 (DATABASE_TIMEOUT) or went away, exactly like rotations: before the fix the
 * UPDATE / DELETE waiting on the lock committed once the lock was released, and the client's
 * retry met a used code (invalid_grant, and its token revoked) or a used request_uri.
 */
describe('single-statement writes under the database deadline', () => {
  let t: TestApp;
  let flow: CodeFlow;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, DATABASE_TIMEOUT: '0.5' } });
    flow = new CodeFlow(t);
  });
  afterAll(() => t.close());

  /** A code for a client that gets no refresh token: its exchange is one UPDATE (consume). */
  async function codeWithoutRefresh(): Promise<{ client: TestClient; code: string; verifier: string }> {
    const client = await flow.createClient({ grantTypes: ['authorization_code'] });
    const { verifier, challenge } = pkcePair();
    return { client, code: await flow.code(client, challenge), verifier };
  }

  it('a code exchange answered 503 under a held write lock did not consume the code: the retry gets the tokens', async () => {
    const { client, code, verifier } = await codeWithoutRefresh();
    const lock = await holdWriteLock(t.database);
    try {
      const refused = await flow.exchange(client, code, verifier);
      expect(refused.status).toBe(503);
      expect(refused.body.error).toBe('temporarily_unavailable');
    } finally {
      await lock.release();
    }
    // Time for a late commit to land, had the refused UPDATE been let through.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const retry = await flow.exchange(client, code, verifier);
    expect(retry.status).toBe(200);
    expect(retry.body.access_token).toEqual(expect.any(String));
    expect(retry.body.refresh_token).toBeUndefined();
  }, 20_000);

  it('a code exchange whose client hung up under a held lock is not committed: the retry after release succeeds', async () => {
    const patient = await TestApp.create({ database: t.database, env: { ...codeFlowEnv, DATABASE_TIMEOUT: '5' } });
    try {
      const patientFlow = new CodeFlow(patient);
      const client = await patientFlow.createClient({ grantTypes: ['authorization_code'] });
      const { verifier, challenge } = pkcePair();
      const code = await patientFlow.code(client, challenge);
      const lock = await holdWriteLock(patient.database);
      let released = false;
      try {
        const abandoned = await patientFlow
          .exchange(client, code, verifier)
          .timeout(300)
          .then(
            () => 'answered',
            (error: Error) => error.message,
          );
        expect(abandoned).toMatch(/timeout/i);
        // Let the server see the disconnect before the lock goes (real time: a socket, not the clock).
        await new Promise((resolve) => setTimeout(resolve, 200));
        await lock.release();
        released = true;
      } finally {
        if (!released) await lock.release();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const retried = await patientFlow.exchange(client, code, verifier);
      expect(retried.status).toBe(200);
    } finally {
      await patient.close();
    }
  }, 20_000);

  it('a request_uri whose use was abandoned by its client under a held lock is still usable once (RFC 9126 §2.2)', async () => {
    const patient = await TestApp.create({ database: t.database, env: { ...codeFlowEnv, DATABASE_TIMEOUT: '5' } });
    try {
      const patientFlow = new CodeFlow(patient);
      const client = await patientFlow.createClient();
      const { client_id: _omitted, ...params } = patientFlow.authorizeQuery(client, pkcePair().challenge);
      const pushed = await postAs(patient, '/oauth/par', client, params).expect(201);
      const use = () => patientFlow.authorize({ client_id: client.clientId, request_uri: pushed.body.request_uri });
      const lock = await holdWriteLock(patient.database);
      let released = false;
      try {
        const abandoned = await use()
          .timeout(300)
          .then(
            () => 'answered',
            (error: Error) => error.message,
          );
        expect(abandoned).toMatch(/timeout/i);
        // Let the server see the disconnect before the lock goes (real time: a socket, not the clock).
        await new Promise((resolve) => setTimeout(resolve, 200));
        await lock.release();
        released = true;
      } finally {
        if (!released) await lock.release();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const retry = await use();
      expect(retry.status).toBe(302);
      expect(retry.headers.location.startsWith(LOGIN_URL)).toBe(true);
    } finally {
      await patient.close();
    }
  }, 20_000);
});
