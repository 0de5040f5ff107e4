import { Logger } from '@nestjs/common';
import { NatsRequestJSONDeserializer } from '@nestjs/microservices';
import type { IncomingEvent, IncomingRequest } from '@nestjs/microservices';

/**
 * Nest's NATS server decodes inside an async callback nobody awaits: a message that is not JSON
 * becomes an unhandled rejection, which ends the process. Anyone able to publish on the subject
 * could do that, so an undecodable message is logged and dropped instead (as an event without a
 * handler: it has no id, so it cannot be answered).
 */
export class SafeNatsDeserializer extends NatsRequestJSONDeserializer {
  private readonly logger = new Logger('Microservice');

  override async deserialize(value: Parameters<NatsRequestJSONDeserializer['deserialize']>[0], options?: Record<string, any>): Promise<IncomingRequest | IncomingEvent> {
    try {
      return await super.deserialize(value, options);
    } catch {
      this.logger.warn(`dropped an undecodable message on ${String(options?.channel).slice(0, 100)}`);
      return { pattern: 'oauth.undecodable', data: undefined };
    }
  }
}
