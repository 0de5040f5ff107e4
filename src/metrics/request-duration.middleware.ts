import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/**
 * Times every request. The route label is the matched route pattern (bounded), never the raw URL,
 * so arbitrary paths cannot blow up the number of series.
 */
@Injectable()
export class RequestDurationMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.requestDuration.startTimer();
    res.once('finish', () => {
      end({ method: req.method, route: routeOf(req), status_code: res.statusCode });
    });
    next();
  }
}

/** The matched controller route; wildcard patterns belong to catch-all middleware (e.g. request logging), not to a handler. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*') ? `${req.baseUrl}${path}` : 'unmatched';
}
