import { Module } from '@nestjs/common';
import { TokenModule } from '../token/token.module';
import { MetadataController } from './metadata.controller';

@Module({ imports: [TokenModule], controllers: [MetadataController] })
export class DiscoveryMetadataModule {}
