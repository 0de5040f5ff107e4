import { Module } from '@nestjs/common';
import { ReplayModule, TokenModule } from 'nest-oauth-server';
import { OneTimeTicketGrantService } from './one-time-ticket-grant.service';

@Module({ imports: [TokenModule, ReplayModule], providers: [OneTimeTicketGrantService] })
export class OneTimeTicketGrantModule {}
