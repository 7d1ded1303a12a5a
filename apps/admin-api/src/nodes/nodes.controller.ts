import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NodeListDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { ApiDoc } from '../common/api-docs';
import { STORE } from '../common/tokens';
import { Role } from '../common/roles';
import { toNodeList } from './node.mapper';

/** Gateway nodes (SPEC §11): who enforces which revision, from their heartbeats. Read-only. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('v1/nodes')
export class NodesController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Get()
  @Role('viewer')
  @ApiDoc('List gateway nodes from their heartbeats, with status (live/stale) and lag behind the store revision', [])
  @ApiOkResponse({ type: NodeListDto })
  async list(): Promise<NodeListDto> {
    return toNodeList(await this.store.listNodes());
  }
}
