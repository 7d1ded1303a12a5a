// Owner: admin-api engineer. Set-up shared by the store's specs: a store on a fresh data dir per
// test, and the typed error a refused call throws. Structural types only, so this library does not
// load the store (its e2e users never need typeorm in the test process).
import { tempDirsForFile } from './temp-dir';

/** Runs `fn` and returns what it throws, expecting an instance of `type` (fails the test if nothing is thrown). */
export async function thrownBy<E>(type: abstract new (...args: never[]) => E, fn: () => Promise<unknown>): Promise<E> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name}`);
}

export interface StorePerTest<S> {
  /** This test's data dir. */
  readonly dir: string;
  /** The store opened on it; assign a reopened one and that one is closed after the test. */
  store: S;
}

/**
 * Registers, in the calling describe block, a beforeEach that opens `open(dir)` on a fresh temp
 * dir (named `prefix`…) and an afterEach that closes it; the dirs are removed in afterAll.
 */
export function storePerTest<S extends { close(): unknown }>(prefix: string, open: (dataDir: string) => Promise<S>): StorePerTest<S> {
  const tempDir = tempDirsForFile(prefix);
  const t = { dir: '', store: undefined as unknown as S };
  beforeEach(async () => {
    t.dir = tempDir();
    t.store = await open(t.dir);
  });
  afterEach(() => t.store.close());
  return t;
}

/** What `expectConcurrentRevisions` needs of a store. */
export interface RevisionedStore {
  createConsumer(input: { name: string }): Promise<unknown>;
  revision(): Promise<number>;
  listConsumers(limit: number, offset: number): Promise<{ total: number }>;
}

/**
 * `writes` consumer creations issued at once, alternating between two stores on one database, each
 * followed without awaiting by a revision() read (queued right behind its own write): every store
 * sees strictly increasing revisions, both end `writes` revisions later, and every write landed.
 */
export async function expectConcurrentRevisions(store: RevisionedStore, other: RevisionedStore, writes = 50): Promise<void> {
  const start = await store.revision();
  const pending: Promise<unknown>[] = [];
  const seen: Promise<number>[] = [];
  for (let i = 0; i < writes; i++) {
    const s = i % 2 === 0 ? store : other;
    pending.push(s.createConsumer({ name: `p${i}` }));
    seen.push(s.revision());
  }
  await Promise.all(pending);
  const perStore = (parity: number) => Promise.all(seen.filter((_, i) => i % 2 === parity));
  for (const revs of [await perStore(0), await perStore(1)]) {
    revs.forEach((r, i) => i > 0 && expect(r).toBeGreaterThan(revs[i - 1]));
  }
  expect(await store.revision()).toBe(start + writes);
  expect(await other.revision()).toBe(start + writes);
  expect((await store.listConsumers(100, 0)).total).toBe(writes);
}
