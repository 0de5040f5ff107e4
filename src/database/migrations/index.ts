import { InitialSchema1764288000000 } from './1764288000000-initial-schema';
import { ScaleOutSchema1764288000500 } from './1764288000500-scale-out-schema';

/** Listed explicitly (not globbed) so they load the same under ts-jest, ts-node and dist/. */
export const migrations = [InitialSchema1764288000000, ScaleOutSchema1764288000500];
