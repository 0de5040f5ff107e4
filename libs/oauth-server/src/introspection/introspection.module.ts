import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TokenStatusModule } from '../token-status/token-status.module';
import { IntrospectionController } from './introspection.controller';
import { IntrospectionService } from './introspection.service';

@Module({
  imports: [ClientsModule, TokenStatusModule],
  controllers: [IntrospectionController],
  providers: [IntrospectionService],
  exports: [IntrospectionService],
})
export class IntrospectionModule {}
