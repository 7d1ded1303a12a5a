import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthDto } from '@oauth2/contracts';
import { Public } from '../common/admin-token.guard';
import { ApiDoc } from '../common/api-docs';

@ApiTags('health')
@Controller('healthz')
export class HealthController {
  @Get()
  @ApiDoc('Liveness: the admin API is up (no token needed)', [])
  @Public()
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    return { status: 'ok' };
  }
}
