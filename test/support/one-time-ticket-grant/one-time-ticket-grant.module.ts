import { Module } from '@nestjs/common';
import { ReplayModule } from '../../../src/replay/replay.module';
import { TokenModule } from '../../../src/token/token.module';
import { OneTimeTicketGrantService } from './one-time-ticket-grant.service';

@Module({ imports: [TokenModule, ReplayModule], providers: [OneTimeTicketGrantService] })
export class OneTimeTicketGrantModule {}
