/** What the status port reports; one implementation per process model (single process, cluster primary). */
export interface StatusSource {
  /** True once every serving process enforces a snapshot. */
  ready(): boolean;
  /** The lowest revision any serving process enforces; null before the first load. */
  revision(): number | null;
  metrics(): Promise<{ contentType: string; text: string }>;
}

export const STATUS_SOURCE = Symbol('STATUS_SOURCE');
