import { Global, Module } from '@nestjs/common';
import { ReplayCache } from './replay-cache.service';

/** Global: DPoP proofs and client assertions both remember their `jti` here, the one way across instances. */
@Global()
@Module({ providers: [ReplayCache], exports: [ReplayCache] })
export class ReplayModule {}
