import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TokenModule } from '../token/token.module';
import { MetadataController } from './metadata.controller';

@Module({ imports: [TokenModule, ClientsModule], controllers: [MetadataController] })
export class DiscoveryMetadataModule {}
