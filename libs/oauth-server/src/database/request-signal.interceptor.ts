import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { Observable } from 'rxjs';
import { runWithRequestSignal } from './request-signal';

/** The handler, and the database work it starts, run with the request's disconnect signal (see request-signal.ts). */
@Injectable()
export class RequestSignalInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    return new Observable((subscriber) => runWithRequestSignal(res, () => next.handle().subscribe(subscriber)));
  }
}
