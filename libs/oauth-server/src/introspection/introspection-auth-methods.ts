import type { ClientAuthMethod } from '../clients/client-auth-method';

/** RFC 7662 §2.1 requires an authorized caller, so only methods that authenticate the client. */
export const INTROSPECTION_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
