import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { DatabaseHealthIndicator } from './database.health';
import { setNoStore } from 'nest-oauth-server';

/**
 * Liveness says the process serves HTTP at all (restart it when not); readiness says it can do its
 * work now (route traffic to it only then). Failing checks answer 503 with terminus's JSON body.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  @Get('live')
  live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.answer(res, []);
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.answer(res, [() => this.database.reachable(), () => this.database.migrated()]);
  }

  /** terminus throws a 503 HttpException on failure; answered here, not by the OAuth error filter. */
  private async answer(res: Response, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    setNoStore(res);
    try {
      return await this.health.check(checks);
    } catch (error) {
      const body = (error as { getResponse?: () => unknown }).getResponse?.();
      if (!body) throw error;
      res.status(503);
      return body as HealthCheckResult;
    }
  }
}
