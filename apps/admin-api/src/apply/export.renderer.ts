import type { ExportQueryDto } from '@oauth2/contracts';
import type { Response } from 'express';
import { stringify } from 'yaml';

const YAML_TYPES = /\b(application\/yaml|text\/yaml|application\/x-yaml)\b/i;

/** JSON by default; YAML when `?format=yaml` or the client accepts a YAML type (and `?format` does not say json). */
export function wantsYaml(q: ExportQueryDto, accept: string | undefined): boolean {
  if (q.format) return q.format === 'yaml';
  return !!accept && YAML_TYPES.test(accept);
}

/** Sets the content type on `res` and returns the body for Nest to send (passthrough response). */
export function renderExport(doc: Record<string, unknown>, yaml: boolean, res: Response): Record<string, unknown> | string {
  res.setHeader('Cache-Control', 'no-store'); // the export holds secrets unless redacted
  if (!yaml) return doc;
  res.type('application/yaml; charset=utf-8');
  return stringify(doc, { lineWidth: 0 });
}
