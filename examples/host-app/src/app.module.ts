import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthServerModule } from './auth-server/auth-server.module';
import { DeviceSessionsModule } from './device-sessions/device-sessions.module';
import { LoginModule } from './login/login.module';
import { NotesModule } from './notes/notes.module';

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true }), AuthServerModule, NotesModule, DeviceSessionsModule, LoginModule],
})
export class AppModule {}
