import type { StoreContext } from './context';
import type { ApplyResult } from './store-api';

export async function applyDocument(_ctx: StoreContext, _text: string, _dryRun: boolean): Promise<ApplyResult> {
  throw new Error('apply: not implemented yet');
}
