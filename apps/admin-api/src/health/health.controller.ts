import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthDto } from '@oauth2/contracts';
import { Public } from '../common/admin-token.guard';

@ApiTags('health')
@Controller('healthz')
export class HealthController {
  @Get()
  @Public()
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    return { status: 'ok' };
  }
}
