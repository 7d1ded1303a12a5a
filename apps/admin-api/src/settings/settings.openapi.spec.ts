import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SETTING_KEYS, SETTINGS_SCHEMA, settingSpec } from '@oauth2/core';
import { STORE } from '../common/tokens';
import { SettingsController } from './settings.controller';

// The OpenAPI document of /v1/settings, built in-process from the real controller: its schemas come
// from core's SETTINGS_SCHEMA, so every key is there with its help text and bounds. The store is
// never called while a document is built.
@Module({ controllers: [SettingsController], providers: [{ provide: STORE, useValue: {} }] })
class SettingsDocModule {}

type Schema = { properties: Record<string, Record<string, unknown>>; required?: string[] };
let doc: OpenAPIObject;
beforeAll(async () => {
  const app = await NestFactory.create(SettingsDocModule, { logger: false });
  doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
  await app.close();
});
const schemaOf = (ref: unknown): Schema =>
  doc.components!.schemas![
    String((ref as { $ref: string }).$ref)
      .split('/')
      .pop()!
  ] as Schema;

describe('OpenAPI of /v1/settings, derived from the settings schema', () => {
  it('PATCH takes every schema key, optional, with its help and bounds', () => {
    const body = schemaOf((doc.paths['/v1/settings'].patch!.requestBody as { content: Record<string, { schema: unknown }> }).content['application/json'].schema);
    expect(Object.keys(body.properties)).toEqual([...SETTING_KEYS]);
    expect(body.required ?? []).toEqual([]);
    for (const key of SETTING_KEYS) {
      const s = settingSpec(key);
      const p = body.properties[key];
      expect([key, p.description]).toEqual([key, s.help]);
      expect([key, p.example]).toEqual([key, s.example]);
      if (s.type === 'integer') expect(p).toMatchObject({ type: 'integer', minimum: s.min });
      if (s.type === 'enum') expect(p).toMatchObject({ type: 'string', enum: s.values });
      if (s.type === 'boolean') expect(p.type).toBe('boolean');
      if (s.nullable) expect(p.nullable).toBe(true);
    }
  });

  it('GET and PATCH answer with every schema key, required, with its default', () => {
    for (const op of [doc.paths['/v1/settings'].get!, doc.paths['/v1/settings'].patch!]) {
      const ok = schemaOf((op.responses['200'] as { content: Record<string, { schema: unknown }> }).content['application/json'].schema);
      expect(Object.keys(ok.properties)).toEqual([...SETTING_KEYS]);
      expect(ok.required).toEqual([...SETTING_KEYS]);
      for (const key of SETTING_KEYS) if (SETTINGS_SCHEMA[key].default !== null) expect([key, ok.properties[key].default]).toEqual([key, SETTINGS_SCHEMA[key].default]);
    }
  });
});
