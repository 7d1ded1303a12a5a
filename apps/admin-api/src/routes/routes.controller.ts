import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateRouteDto, DeleteResultDto, ForceQueryDto, PageQueryDto, ReplaceRouteDto, RouteDto, RoutePageDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { toDeleteResult } from '../common/delete-result.mapper';
import { NameParamPipe } from '../common/params';
import { pageOf } from '../common/paging';
import { STORE } from '../common/tokens';
import { replaceFields, routeFields, toRoute, toRoutePage } from './route.mapper';

/** Route names may hold "/" (Higress `namespace/ingress`): clients send it as %2F in the path. */
@ApiTags('routes')
@ApiBearerAuth()
@Controller('v1/routes')
export class RoutesController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post()
  @ApiCreatedResponse({ type: RouteDto })
  async create(@Body() body: CreateRouteDto): Promise<RouteDto> {
    return toRoute(await this.store.createRoute({ name: body.name, ...routeFields(body) }));
  }

  @Get()
  @ApiOkResponse({ type: RoutePageDto })
  async list(@Query() q: PageQueryDto): Promise<RoutePageDto> {
    return toRoutePage(await this.store.listRoutes(...pageOf(q)));
  }

  @Get(':name')
  @ApiOkResponse({ type: RouteDto })
  async get(@Param('name', NameParamPipe) name: string): Promise<RouteDto> {
    return toRoute(await this.store.getRoute(name));
  }

  @Put(':name')
  @ApiOkResponse({ type: RouteDto })
  async replace(@Param('name', NameParamPipe) name: string, @Body() body: ReplaceRouteDto): Promise<RouteDto> {
    return toRoute(await this.store.replaceRoute(name, replaceFields(name, body)));
  }

  @Delete(':name')
  @ApiOkResponse({ type: DeleteResultDto })
  async remove(@Param('name', NameParamPipe) name: string, @Query() q: ForceQueryDto): Promise<DeleteResultDto> {
    return toDeleteResult(await this.store.deleteRoute(name, q.force ?? false));
  }
}
