import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditPageDto, AuditQueryDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { ApiDoc } from '../common/api-docs';
import { pageOf } from '../common/paging';
import { Role } from '../common/roles';
import { STORE } from '../common/tokens';

/** The audit log: one row per landed write, newest first (docs/admin-api.md, "Admin access"). */
@ApiTags('admin access')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Get()
  @Role('viewer')
  @ApiDoc('The audit log, newest first: who wrote what, when, and the revision it produced', [400])
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() q: AuditQueryDto): Promise<AuditPageDto> {
    const [limit, offset] = pageOf(q);
    return this.store.listAudit({ limit, offset, actor: q.actor, target: q.target, action: q.action, since_revision: q.since_revision });
  }
}
