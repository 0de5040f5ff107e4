import { Module } from '@nestjs/common';
import { TokenModule } from 'nest-oauth-server';
import { TrustedSubjectGrantService } from './trusted-subject-grant.service';

/** Importing this module is all it takes to add the grant type: it is discovered at start-up. */
@Module({ imports: [TokenModule], providers: [TrustedSubjectGrantService] })
export class TrustedSubjectGrantModule {}
