import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Param, PipeTransform, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { KeyDto, KeyListDto, RotateKeyDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { STORE } from '../common/tokens';
import { toKey, toKeyList } from './key.mapper';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { Role } from '../common/roles';

/** A kid from the URL: ours are RFC 7638 thumbprints (43 base64url characters); be a little lenient. */
class KidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(value)) throw new BadRequestException('kid must be 1-128 base64url characters');
    return value;
  }
}

/** Gateway signing keys (docs/signing-keys.md): list, rotate, retire. Private keys never leave the store. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
export class KeysController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Get()
  @Role('viewer')
  @ApiDoc('List gateway signing keys (empty under signing_alg HS256: tokens are signed with each client secret)', [])
  @ApiOkResponse({ type: KeyListDto })
  async list(): Promise<KeyListDto> {
    return toKeyList(await this.store.listKeys());
  }

  @Post('rotate')
  @Role('operator', 'key.rotate')
  @ApiExampleBody(RotateKeyDto, { alg: 'ES256' }, 'a new ES256 key (also switches signing_alg to ES256); {} keeps the current alg')
  @ApiDoc('Create a new active signing key; the previous one keeps verifying until retired', [400])
  @HttpCode(200)
  @ApiOkResponse({ type: KeyDto, description: 'the new active key; the previous one stays published' })
  async rotate(@Body() body: RotateKeyDto): Promise<KeyDto> {
    return toKey(await this.store.rotateKey(body.alg));
  }

  @Post(':kid/retire')
  @Role('operator', 'key.retire')
  @ApiDoc('Retire a key that no longer signs (stop publishing and accepting it)', [400, 404, 409], {
    409: 'the active key, or tokens it signed may still be valid (the message names when it becomes retirable)',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: KeyDto })
  async retire(@Param('kid', KidParamPipe) kid: string): Promise<KeyDto> {
    return toKey(await this.store.retireKey(kid));
  }
}
