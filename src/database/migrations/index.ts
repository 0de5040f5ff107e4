import { InitialSchema1764288000000 } from './1764288000000-initial-schema';
import { ServerSecrets1764288000700 } from './1764288000700-server-secrets';

/** Listed explicitly (not globbed) so they load the same under ts-jest, ts-node and dist/. */
export const migrations = [InitialSchema1764288000000, ServerSecrets1764288000700];
