import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Observable, throwError } from 'rxjs';
import { OAuthError } from 'nest-oauth-server';

/** What a caller of a message pattern receives as the error: the RFC 6749 §5.2 shape. */
export interface RpcError {
  error: string;
  error_description: string;
}

/**
 * Every failure of a message handler becomes an RPC error reply, never an exception that
 * escapes the transport. Unexpected errors are logged with a correlation id, not returned.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('Microservice');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => this.toRpcError(exception));
  }

  private toRpcError(exception: unknown): RpcError {
    if (exception instanceof OAuthError) return exception.toJSON();
    if (exception instanceof RpcException) {
      const error = exception.getError();
      return typeof error === 'string' ? { error: 'invalid_request', error_description: error } : (error as RpcError);
    }
    const correlationId = randomUUID();
    const message = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    this.logger.error(`server_error ${correlationId}: ${message}`);
    return { error: 'server_error', error_description: `Unexpected error, correlation id ${correlationId}` };
  }
}
