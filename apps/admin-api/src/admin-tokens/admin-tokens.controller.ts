import { Body, Controller, Delete, Get, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminTokenDeletedDto, AdminTokenPageDto, AdminTokenWithSecretDto, CreateAdminTokenDto, WhoamiDto } from '@oauth2/contracts';
import { ROOT_TOKEN_NAME, type AdminTokenView, type ConfigStore } from '@oauth2/store';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { callerOf } from '../common/admin-token.guard';
import { NameParamPipe } from '../common/params';
import { Role } from '../common/roles';
import { STORE } from '../common/tokens';

/** root as listed: it has no row (it is the bootstrap token, OAUTH2_ADMIN_TOKEN / admin.token). */
const ROOT_VIEW: AdminTokenView = { name: ROOT_TOKEN_NAME, role: 'admin', created_at: null, expires_at: null, last_used_at: null };

/** Named admin tokens (docs/admin-api.md, "Admin access"): shown once, stored as SHA-256 hashes. */
@ApiTags('admin access')
@ApiBearerAuth()
@Controller('v1')
export class AdminTokensController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post('admin-tokens')
  @Role('admin', 'admin_token.create')
  @ApiDoc('Create a named admin token with a role; the answer shows the token, this once', [400, 409], { 409: 'the name is already used (or is root)' })
  @ApiExampleBody(CreateAdminTokenDto, { name: 'ci-dashboard', role: 'viewer', expires_in: 86400 }, 'a read-only token for CI, valid one day')
  @ApiCreatedResponse({ type: AdminTokenWithSecretDto, description: 'the only answer that shows the token' })
  create(@Body() body: CreateAdminTokenDto): Promise<AdminTokenWithSecretDto> {
    return this.store.createAdminToken({ name: body.name, role: body.role, expires_in: body.expires_in });
  }

  @Get('admin-tokens')
  @Role('viewer')
  @ApiDoc('List admin tokens (root first; never a token or its hash)', [])
  @ApiOkResponse({ type: AdminTokenPageDto })
  async list(): Promise<AdminTokenPageDto> {
    const items = [ROOT_VIEW, ...(await this.store.listAdminTokens())];
    return { items, total: items.length };
  }

  @Delete('admin-tokens/:name')
  @Role('admin', 'admin_token.delete')
  @ApiDoc('Delete an admin token: every admin API process refuses it from the next request', [400, 404, 409], { 409: 'root (the bootstrap token) cannot be deleted' })
  @ApiOkResponse({ type: AdminTokenDeletedDto })
  remove(@Param('name', NameParamPipe) name: string): Promise<AdminTokenDeletedDto> {
    return this.store.deleteAdminToken(name);
  }

  @Get('whoami')
  @Role('viewer')
  @ApiDoc('The admin token this request was made with: its name and role', [])
  @ApiOkResponse({ type: WhoamiDto })
  whoami(@Req() req: unknown): WhoamiDto {
    const c = callerOf(req);
    if (!c) throw new Error('whoami without a caller');
    return { name: c.name, role: c.role };
  }
}
