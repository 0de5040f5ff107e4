import { Module } from '@nestjs/common';
import { AuthServerModule } from '../auth-server/auth-server.module';
import { DeviceSessionGrant } from './device-session.grant';
import { DeviceSessions } from './device-sessions.service';

/** Providing the grant handler is all it takes: the token endpoint discovers it at start-up. */
@Module({ imports: [AuthServerModule], providers: [DeviceSessions, DeviceSessionGrant], exports: [DeviceSessions] })
export class DeviceSessionsModule {}
