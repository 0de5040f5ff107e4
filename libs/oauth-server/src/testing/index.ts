/** nest-oauth-server/testing: what a host needs to e2e-test its own grants with Jest. */
export { Clock } from '../common/clock';
// TODO(exports): extension-api adds FakeClock, createTestClient and tokenRequest.
