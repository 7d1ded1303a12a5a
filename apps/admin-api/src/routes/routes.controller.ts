import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateRouteDto, DeleteResultDto, ForceQueryDto, PageQueryDto, ReplaceRouteDto, RouteDto, RoutePageDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { toDeleteResult } from '../common/delete-result.mapper';
import { NameParamPipe } from '../common/params';
import { pageOf } from '../common/paging';
import { STORE } from '../common/tokens';
import { replaceFields, routeFields, toRoute, toRoutePage } from './route.mapper';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { Role } from '../common/roles';

/** Route names may hold "/" (Higress `namespace/ingress`): clients send it as %2F in the path. */
@ApiTags('routes')
@ApiBearerAuth()
@Controller('v1/routes')
export class RoutesController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post()
  @Role('operator', 'route.create')
  @ApiExampleBody(
    CreateRouteDto,
    { name: 'route-a', hosts: ['api.example.com'], path_prefix: '/api', upstream: 'http://127.0.0.1:9000', strip_prefix: true },
    'requests to api.example.com/api/... go to the upstream without /api',
  )
  @ApiDoc('Create a route (hosts + path prefix -> upstream)', [400, 409], { 409: 'a route with this name exists' })
  @ApiCreatedResponse({ type: RouteDto })
  async create(@Body() body: CreateRouteDto): Promise<RouteDto> {
    return toRoute(await this.store.createRoute({ name: body.name, ...routeFields(body) }));
  }

  @Get()
  @Role('viewer')
  @ApiDoc('List routes', [400])
  @ApiOkResponse({ type: RoutePageDto })
  async list(@Query() q: PageQueryDto): Promise<RoutePageDto> {
    return toRoutePage(await this.store.listRoutes(...pageOf(q)));
  }

  @Get(':name')
  @Role('viewer')
  @ApiDoc('Show one route', [400, 404])
  @ApiOkResponse({ type: RouteDto })
  async get(@Param('name', NameParamPipe) name: string): Promise<RouteDto> {
    return toRoute(await this.store.getRoute(name));
  }

  @Put(':name')
  @Role('operator', 'route.update')
  @ApiExampleBody(ReplaceRouteDto, { hosts: ['api.example.com'], path_prefix: '/api', upstream: 'http://127.0.0.1:9001', strip_prefix: true }, 'the whole route: fields left out get their defaults')
  @ApiDoc('Replace a route in place (its rules stay)', [400, 404])
  @ApiOkResponse({ type: RouteDto })
  async replace(@Param('name', NameParamPipe) name: string, @Body() body: ReplaceRouteDto): Promise<RouteDto> {
    return toRoute(await this.store.replaceRoute(name, replaceFields(name, body)));
  }

  @Delete(':name')
  @Role('operator', 'route.delete')
  @ApiDoc('Delete a route; refused while a rule names it, unless force=true', [400, 404, 409], { 409: 'a rule still names it (force=true removes it from them)' })
  @ApiOkResponse({ type: DeleteResultDto })
  async remove(@Param('name', NameParamPipe) name: string, @Query() q: ForceQueryDto): Promise<DeleteResultDto> {
    return toDeleteResult(await this.store.deleteRoute(name, q.force ?? false));
  }
}
