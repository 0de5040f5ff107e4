import { Module } from '@nestjs/common';
import { AuthServerModule } from '../auth-server/auth-server.module';
import { LoginController } from './login.controller';

@Module({ imports: [AuthServerModule], controllers: [LoginController] })
export class LoginModule {}
