import { Controller, Get, Inject, NotFoundException, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { metricsConfig, MetricsConfig } from '../config/metrics.config';
import { MetricsAccess } from './metrics-access';
import { MetricsService } from './metrics.service';
import { setNoStore } from 'nest-oauth-server';

/**
 * /metrics on the public port: only when METRICS_TOKEN is set and METRICS_PORT is not, and only
 * with that bearer token. Otherwise it answers exactly like a path that does not exist (the
 * metrics are on their own listener, see MetricsListener, or off).
 */
@Controller('metrics')
export class MetricsController {
  private readonly access: MetricsAccess;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
  ) {
    this.access = new MetricsAccess(config.token);
  }

  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.config.onPublicPort) throw new NotFoundException(`Cannot GET ${req.path}`);
    setNoStore(res);
    if (!this.access.allows(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', MetricsAccess.challenge);
      throw new UnauthorizedException('A valid METRICS_TOKEN bearer token is required');
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
