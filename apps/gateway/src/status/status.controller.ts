import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_SOURCE, type StatusSource } from './status-source';

/** The gateway's status port (GATEWAY_STATUS_HOST/PORT, docs/configuration.md): liveness, readiness, enforced revision, Prometheus metrics. */
@Controller()
export class StatusController {
  constructor(@Inject(STATUS_SOURCE) private readonly source: StatusSource) {}

  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz(@Res() res: Response): void {
    const ready = this.source.ready();
    res.status(ready ? 200 : 503).json({ ready, revision: this.source.revision() });
  }

  @Get('revision')
  revision(): { revision: number | null } {
    return { revision: this.source.revision() };
  }

  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    const m = await this.source.metrics();
    res.status(200).type(m.contentType).send(m.text);
  }
}
