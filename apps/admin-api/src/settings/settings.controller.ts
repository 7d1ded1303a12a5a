import { Body, Controller, Get, Inject, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PatchSettingsDto, SettingsDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { STORE } from '../common/tokens';
import { settingsPatch, toSettings } from './settings.mapper';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { Role } from '../common/roles';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings')
export class SettingsController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Get()
  @Role('viewer')
  @ApiDoc('Show every instance setting', [])
  @ApiOkResponse({ type: SettingsDto })
  async get(): Promise<SettingsDto> {
    return toSettings(await this.store.getSettings());
  }

  @Patch()
  @Role('operator', 'settings.update')
  @ApiExampleBody(PatchSettingsDto, { global_auth: true, token_ttl: 3600 }, 'require a token on every route; tokens live an hour')
  @ApiDoc('Change some settings (global_auth: null unsets it)', [400])
  @ApiOkResponse({ type: SettingsDto })
  async patch(@Body() body: PatchSettingsDto): Promise<SettingsDto> {
    return toSettings(await this.store.patchSettings(settingsPatch(body)));
  }
}
