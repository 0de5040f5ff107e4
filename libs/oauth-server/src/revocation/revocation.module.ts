import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TokenStatusModule } from '../token-status/token-status.module';
import { RevocationController } from './revocation.controller';
import { RevocationService } from './revocation.service';

@Module({
  imports: [ClientsModule, TokenStatusModule],
  controllers: [RevocationController],
  providers: [RevocationService],
  exports: [RevocationService],
})
export class RevocationModule {}
