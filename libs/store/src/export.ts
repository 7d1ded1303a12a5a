import type { StoreContext } from './context';

export async function exportDocument(_ctx: StoreContext, _redact: boolean): Promise<Record<string, unknown>> {
  throw new Error('export: not implemented yet');
}
