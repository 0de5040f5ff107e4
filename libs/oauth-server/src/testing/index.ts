// What a host needs to e2e-test its own grants with Jest (`nest-oauth-server/testing`).
export { Clock } from '../common/clock';
export { FakeClock } from './fake-clock';
export { createTestClient } from './create-test-client';
export type { TestClientCredentials, TestClientOptions } from './create-test-client';
export { tokenRequest } from './token-request';
export type { TokenRequestOptions } from './token-request';
