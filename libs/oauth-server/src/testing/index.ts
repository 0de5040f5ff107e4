/** nest-oauth-server/testing: what a host needs to e2e-test its own grants. */
export {};
