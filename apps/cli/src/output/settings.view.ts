import type { SettingsDto } from '@oauth2/contracts';
import { renderTable } from './table';

/** Settings: all of them, or the one asked for. */
export function settingsTable(s: Partial<SettingsDto>): string {
  return renderTable(
    ['KEY', 'VALUE'],
    Object.entries(s).map(([k, v]) => [k, v === null ? 'unset' : v]),
  );
}
