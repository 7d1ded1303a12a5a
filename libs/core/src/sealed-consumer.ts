import type { ConsumerRecord } from './model';
import type { CompiledConsumer, PreviousSecret, ScopeSet } from './snapshot';
import type { ConsumerTlsAuth } from './tls-auth';
import { scopeSetOf } from './effective-scopes';

/**
 * Secrets opened on first use (SPEC §11: a cold load of 1,000,000 consumers in ≤ 5 s, where
 * opening every sealed secret costs ~4-11 µs each, most of the budget).
 *
 * The store hands the snapshot a SealedConsumer per row: name and client_id as read, the secret
 * still sealed. Its `client_secret` (and the HMAC `key` built from it) is opened the first time a
 * request needs it, then kept in the object, so a hot consumer pays once and the hot path does no
 * database work (the sealed bytes are in memory).
 *
 * A damaged row (a sealed value that does not open: wrong master key for that row, bytes changed
 * on disk) can never turn into a failure for anyone else, and never goes unnoticed:
 * - only that consumer is affected: its secret becomes 32 random bytes nobody knows, so its token
 *   requests are refused (invalid_client) and tokens claiming it fail the signature check (401):
 *   fail closed, never an exception in the request path;
 * - it is reported: each damaged row is passed once to the listeners of onDamagedSecret (the
 *   gateway logs one line naming the consumer and counts it), when first used or, at the latest,
 *   when the background pass (unsealAll) reaches it: after every load the gateway opens every
 *   still-sealed secret in small slices, so every damaged row is found within seconds of the
 *   snapshot going into force even if nobody uses that consumer.
 */
export interface SecretOpener {
  /** The plaintext of `sealed` for consumer `name`; throws when it does not open. */
  open(sealed: string, name: string): string;
  /** The same for the previous secret of a rotation with grace (its own AAD); absent: such a secret never opens (fails closed). */
  openPrevious?(sealed: string, name: string): string;
}

/** 32 random bytes as hex (Web Crypto: this lib is also bundled for the console). */
function unknowableSecret(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(32));
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return hex;
}

type DamagedListener = (name: string, reason: string) => void;
const listeners: DamagedListener[] = [];

/** Called once per damaged sealed secret found (first use or background pass). */
export function onDamagedSecret(listener: DamagedListener): () => void {
  listeners.push(listener);
  return () => {
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  };
}

export class SealedConsumer implements ConsumerRecord, CompiledConsumer {
  private secret: string | undefined;
  private hmacKey: Buffer | undefined;
  private compiledScopes: ScopeSet | null | undefined;
  /** Set once the sealed value turned out not to open. */
  damaged = false;

  constructor(
    readonly name: string,
    readonly client_id: string,
    /** The sealed secret as the store keeps it (hex): compared to reuse an opened secret across loads. */
    readonly sealed: string,
    private readonly opener: SecretOpener,
    /** SPEC §8.1: null = unrestricted. */
    readonly scopes: string[] | null,
    readonly groups: string[],
    /** Already known (unchanged since the previous load, or just written). */
    secret?: string,
  ) {
    this.secret = secret;
  }

  /** The compiled scopes, built on first use (most of a million consumers are never asked during a load). */
  get scopeSet(): ScopeSet | null {
    if (this.compiledScopes === undefined) this.compiledScopes = scopeSetOf(this.scopes);
    return this.compiledScopes;
  }

  get client_secret(): string {
    return this.secret ?? this.unseal();
  }

  get key(): Buffer {
    return (this.hmacKey ??= Buffer.from(this.client_secret, 'utf8'));
  }

  /** Whether the secret is still sealed (not yet opened, not found damaged). */
  get isSealed(): boolean {
    return this.secret === undefined;
  }

  /** The opened secret, if it was opened already (never opens it). */
  get openedSecret(): string | undefined {
    return this.damaged ? undefined : this.secret;
  }

  /**
   * Rotation with a grace period (SPEC §8.4): the previous secret, still sealed (SealedPreviousSecret),
   * or null (the common case). Set by the store's loader right after construction.
   */
  previous: PreviousSecret | null = null;

  /** SPEC §13: certificate authentication (RFC 8705 §2), or null (client_secret, the common case). Set by the loader like `previous`. */
  tls: ConsumerTlsAuth | null = null;

  get auth_method(): ConsumerRecord['auth_method'] {
    return this.tls?.method ?? 'client_secret';
  }

  get tls_subject(): string | null {
    return this.tls?.subject ?? null;
  }

  get tls_thumbprint(): string | null {
    return this.tls?.thumbprint ?? null;
  }

  /** Opens the secret now and throws when it does not open (a load that must not go on with a damaged row); nothing is reported. */
  open(): string {
    if (this.secret === undefined) this.secret = this.opener.open(this.sealed, this.name);
    return this.secret;
  }

  /** Opens the secret now; a damaged one becomes an unknowable random value and is reported once. */
  unseal(): string {
    if (this.secret !== undefined) return this.secret;
    try {
      this.secret = this.opener.open(this.sealed, this.name);
    } catch (e) {
      this.damaged = true;
      this.secret = unknowableSecret();
      const reason = e instanceof Error ? e.message : String(e);
      for (const l of listeners) l(this.name, reason);
    }
    return this.secret;
  }
}

/**
 * The previous secret of a rotation with grace as the store read it: sealed, opened the first time
 * `secret` or `key` is read. The token endpoint and the verifier read them only while
 * `now < expires_at`, so a grace that has ended never has its secret opened. A damaged one becomes
 * an unknowable random value (only this consumer's previous secret stops working) and is reported
 * once, like a damaged current secret. The background pass (unsealAll) leaves it sealed.
 */
export class SealedPreviousSecret implements PreviousSecret {
  private opened: string | undefined;
  private hmacKey: Buffer | undefined;
  /** Set once the sealed value turned out not to open. */
  damaged = false;

  constructor(
    /** The consumer's name (the AAD). */
    private readonly name: string,
    /** The sealed previous secret as the store keeps it (hex); null: none kept. */
    readonly sealed: string | null,
    readonly rotated_at: number,
    readonly expires_at: number,
    private readonly opener: SecretOpener,
    /** Already known (unchanged since the previous load). */
    secret?: string,
  ) {
    this.opened = secret;
  }

  get secret(): string | null {
    if (this.sealed === null) return null;
    return this.opened ?? this.unseal();
  }

  get key(): Buffer | null {
    const s = this.secret;
    return s === null ? null : (this.hmacKey ??= Buffer.from(s, 'utf8'));
  }

  /** The opened secret, if it was opened already (never opens it). */
  get openedSecret(): string | undefined {
    return this.damaged ? undefined : this.opened;
  }

  /** Opens it now and throws when it does not open (a load that must not go on with a damaged row); nothing is reported. */
  open(): string | null {
    if (this.sealed === null) return null;
    if (this.opened === undefined) this.opened = this.openWith(this.sealed);
    return this.opened;
  }

  private openWith(sealed: string): string {
    if (this.opener.openPrevious === undefined) throw new Error('no opener for a previous secret');
    return this.opener.openPrevious(sealed, this.name);
  }

  private unseal(): string {
    try {
      this.opened = this.openWith(this.sealed!);
    } catch (e) {
      this.damaged = true;
      this.opened = unknowableSecret();
      const reason = e instanceof Error ? e.message : String(e);
      for (const l of listeners) l(this.name, `previous secret: ${reason}`);
    }
    return this.opened;
  }
}

/**
 * The background pass: opens every still-sealed secret of `consumers`, `perSlice` at a time with
 * `pause()` between slices (the event loop keeps serving), until done or `stop()` says the
 * snapshot was replaced. Returns how many were opened and how many were damaged.
 */
export async function unsealAll(consumers: Iterable<ConsumerRecord>, pause: () => Promise<void>, stop: () => boolean, perSlice = 500): Promise<{ opened: number; damaged: number; stopped: boolean }> {
  let opened = 0;
  let damaged = 0;
  let n = 0;
  for (const c of consumers) {
    if (!(c instanceof SealedConsumer) || !c.isSealed) continue;
    c.unseal();
    if (c.damaged) damaged++;
    else opened++;
    if (++n % perSlice === 0) {
      await pause();
      if (stop()) return { opened, damaged, stopped: true };
    }
  }
  return { opened, damaged, stopped: false };
}
