/** IPC between the cluster primary (status port) and the workers (traffic). */
export type WorkerMessage = { t: 'gw:revision'; revision: number } | { t: 'gw:listening'; port: number; revision: number; authzPort?: number } | { t: 'gw:fatal'; message: string };

/** `gw:reload`: another worker enforces `revision`; check the store now rather than at the next poll. */
export type PrimaryMessage = { t: 'gw:shutdown' } | { t: 'gw:reload'; revision: number };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string' && (m as { t: string }).t.startsWith('gw:');
}
