import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AsymmetricAlg } from '@oauth2/core';

export type SigningKeyStatus = 'active' | 'inactive' | 'retired';

/**
 * A gateway signing key (docs/signing-keys.md). `active`: signs new tokens (at most one). `inactive`: stopped
 * signing at `rotated_at`, still published and verified for tokens it signed. `retired`: gone from
 * the JWKS and from verification. Only the active key keeps its (sealed) private half.
 */
@Entity('signing_key')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'text' }) kid: string;
  @Column({ type: 'text' }) alg: AsymmetricAlg;
  @Column({ type: 'text' }) status: SigningKeyStatus;
  /** The public JWK (kty and key members), JSON text. */
  @Column({ type: 'text' }) public_jwk: string;
  /** AES-256-GCM sealed PKCS#8 PEM (iv + tag + ciphertext); null once the key no longer signs. */
  @Column({ type: 'blob', nullable: true }) private_enc: Buffer | null;
  @Column({ type: 'text' }) created_at: string;
  /** When it stopped being the active key. */
  @Column({ type: 'text', nullable: true }) rotated_at: string | null;
  @Column({ type: 'text', nullable: true }) retired_at: string | null;
}
