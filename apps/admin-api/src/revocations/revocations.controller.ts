import { BadRequestException, Body, Controller, Delete, Get, Inject, Param, PipeTransform, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeleteResultDto, PageQueryDto, RevocationDto, RevocationInputDto, RevocationPageDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { toDeleteResult } from '../common/delete-result.mapper';
import { pageOf } from '../common/paging';
import { STORE } from '../common/tokens';
import { revocationInput, toRevocation, toRevocationPage } from './revocation.mapper';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { Role } from '../common/roles';

/** A revocation id from the URL: a positive decimal integer. */
class RevocationIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^[1-9]\d{0,14}$/.test(value)) throw new BadRequestException('revocation id must be a positive integer');
    return Number(value);
  }
}

/** Token revocation (docs/revocation.md): enforced by the gateway within one reload, like any write. */
@ApiTags('revocations')
@ApiBearerAuth()
@Controller('v1/revocations')
export class RevocationsController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post()
  @Role('operator', 'revocation.create')
  @ApiExampleBody(RevocationInputDto, { client_id: '463e7bcc-9e01-40a2-8516-494794a50c28' }, 'every token this client holds now (or jti: one token)')
  @ApiDoc('Revoke one token (jti) or every token a client holds now (client_id)', [400])
  @ApiCreatedResponse({ type: RevocationDto })
  async create(@Body() body: RevocationInputDto): Promise<RevocationDto> {
    return toRevocation(await this.store.revoke(revocationInput(body)));
  }

  @Get()
  @Role('viewer')
  @ApiDoc('List revocations in force', [400])
  @ApiOkResponse({ type: RevocationPageDto })
  async list(@Query() q: PageQueryDto): Promise<RevocationPageDto> {
    return toRevocationPage(await this.store.listRevocations(...pageOf(q)));
  }

  @Delete(':id')
  @Role('operator', 'revocation.delete')
  @ApiDoc('Remove a revocation (its tokens work again until they expire)', [400, 404])
  @ApiOkResponse({ type: DeleteResultDto })
  async remove(@Param('id', RevocationIdPipe) id: number): Promise<DeleteResultDto> {
    return toDeleteResult(await this.store.deleteRevocation(id));
  }
}
