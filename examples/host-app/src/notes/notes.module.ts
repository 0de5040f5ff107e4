import { Module } from '@nestjs/common';
import { ResourceServerModule } from 'nest-oauth-server';
import { NotesController } from './notes.controller';

@Module({ imports: [ResourceServerModule], controllers: [NotesController] })
export class NotesModule {}
