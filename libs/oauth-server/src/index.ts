/** The public API of nest-oauth-server (pinned by test/public-api.spec.ts). */
export {};
