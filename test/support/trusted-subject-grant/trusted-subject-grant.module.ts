import { Module } from '@nestjs/common';
import { TokenModule } from '../../../src/token/token.module';
import { TrustedSubjectGrantService } from './trusted-subject-grant.service';

/** Importing this module is all it takes to add the grant type: it is discovered at start-up. */
@Module({ imports: [TokenModule], providers: [TrustedSubjectGrantService] })
export class TrustedSubjectGrantModule {}
