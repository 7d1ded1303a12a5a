import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RevisionDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { ApiDoc } from '../common/api-docs';
import { STORE } from '../common/tokens';
import { Role } from '../common/roles';

/** The store revision: every landed write bumps it; a gateway has caught up when its status port /revision says the same. */
@ApiTags('revision')
@ApiBearerAuth()
@Controller('v1')
export class RevisionController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Get('revision')
  @Role('viewer')
  @ApiDoc('The store revision (compare with the gateway status port /revision)', [])
  @ApiOkResponse({ type: RevisionDto })
  async revision(): Promise<RevisionDto> {
    return { revision: await this.store.revision() };
  }
}
