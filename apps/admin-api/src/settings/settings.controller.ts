import { Body, Controller, Get, Inject, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PatchSettingsDto, SettingsDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { STORE } from '../common/tokens';
import { settingsPatch, toSettings } from './settings.mapper';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings')
export class SettingsController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Get()
  @ApiOkResponse({ type: SettingsDto })
  async get(): Promise<SettingsDto> {
    return toSettings(await this.store.getSettings());
  }

  @Patch()
  @ApiOkResponse({ type: SettingsDto })
  async patch(@Body() body: PatchSettingsDto): Promise<SettingsDto> {
    return toSettings(await this.store.patchSettings(settingsPatch(body)));
  }
}
