import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/** The body every error of this application's own routes has: `{ ok: false, status, message, path }`. */
export interface HostErrorBody {
  ok: false;
  status: number;
  message: string;
  path: string;
}

/** The host's global exception filter: its own error shape, whatever threw. */
@Catch()
export class HostExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HostExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    if (status >= 500) this.logger.error(exception);
    const body: HostErrorBody = { ok: false, status, message: status >= 500 ? 'Something went wrong' : messageOf(exception), path: pathOf(req) };
    res.status(status).json(body);
  }
}

/** The path as requested: `req.path` is relative to the prefix's mount for Nest's not-found handler. */
function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0];
}

function messageOf(exception: unknown): string {
  if (!(exception instanceof HttpException)) return 'Error';
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
}
