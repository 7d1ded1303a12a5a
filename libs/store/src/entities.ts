import 'reflect-metadata';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { SETTING_KEYS, settingSpec, type AuthMethod, type Settings } from '@oauth2/core';
import { SigningKeyEntity } from './signing-key.entity';

// Column types are spelled out: ts-jest's isolatedModules cannot emit reliable design:type metadata.

/**
 * The single settings row (id = 1): one column per key of core's SETTINGS_SCHEMA, declared by the
 * loop below (Higress names and defaults, docs/configuration.md). A new setting needs a migration adding its column.
 */
@Entity('settings')
export class SettingsEntity extends (class {} as new () => Settings) {
  @PrimaryColumn({ type: 'integer' }) id: number;
}
const SETTING_COLUMN = { string: 'text', enum: 'text', integer: 'integer', boolean: 'boolean' } as const;
for (const key of SETTING_KEYS) {
  const s = settingSpec(key);
  Column({ type: SETTING_COLUMN[s.type], nullable: s.nullable === true })(SettingsEntity.prototype, key);
}

/** The single revision row (id = 1), bumped in the same transaction as every config write. */
@Entity('revision')
export class RevisionEntity {
  @PrimaryColumn({ type: 'integer' }) id: number;
  @Column({ type: 'integer' }) value: number;
  /** Fingerprint of the master key the secrets are sealed under (detects a wrong key at open). */
  @Column({ type: 'text', nullable: true }) key_check: string | null;
  /** The sealed secrets' AAD format (secret-box.ts): 1 = bare name/kid, 2 = domain-prefixed. */
  @Column({ type: 'integer', default: 1 }) seal_version: number;
}

@Entity('consumer')
export class ConsumerEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'text', unique: true }) name: string;
  @Column({ type: 'text', unique: true }) client_id: string;
  /** AES-256-GCM: iv + tag + ciphertext; never the plaintext. */
  @Column({ type: 'blob' }) secret_enc: Buffer;
  @Column({ type: 'text' }) created_at: string;
  // SPEC §8.1: JSON arrays; scopes null = unrestricted.
  @Column({ type: 'simple-json', nullable: true }) scopes: string[] | null;
  @Column({ type: 'simple-json', default: '[]' }) groups: string[];
  // Rotation with a grace period (migration RotationGrace, consumers.ts rotateSecret); null without one.
  /** The previous secret, sealed under previousSecretAad; never read out of the store but by the snapshot load. */
  @Column({ type: 'blob', nullable: true }) previous_secret_enc: Buffer | null;
  /** Unix seconds. */
  @Column({ type: 'integer', nullable: true }) rotated_at: number | null;
  /** Unix seconds: rotated_at + grace_seconds. */
  @Column({ type: 'integer', nullable: true }) previous_secret_expires_at: number | null;
  // SPEC §13 (migration ConsumerTlsAuth): RFC 8705 §2 client authentication; the field of the other method is null.
  @Column({ type: 'text', default: 'client_secret' }) auth_method: AuthMethod;
  @Column({ type: 'text', nullable: true }) tls_subject: string | null;
  @Column({ type: 'text', nullable: true }) tls_thumbprint: string | null;
}

@Entity('route')
export class RouteEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'text', unique: true }) name: string;
  /** JSON array of lower-cased host patterns; [] = any host. */
  @Column({ type: 'simple-json' }) hosts: string[];
  @Column({ type: 'text' }) path_prefix: string;
  @Column({ type: 'text' }) upstream: string;
  @Column({ type: 'boolean' }) strip_prefix: boolean;
  @Column({ type: 'text' }) created_at: string;
}

/**
 * An allow-list rule. Targets and allow are JSON arrays (order kept as given): rules are few and
 * always read whole, and every write runs serialized, so referential checks live in the store code.
 */
@Entity('rule')
@Index('idx_rule_order', ['position', 'id'])
export class RuleEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'integer' }) position: number;
  @Column({ type: 'simple-json', nullable: true }) routes: string[] | null;
  @Column({ type: 'simple-json', nullable: true }) domains: string[] | null;
  @Column({ type: 'simple-json' }) allow: string[];
  // SPEC §8.3: group names and required scopes (JSON arrays, [] = none).
  @Column({ type: 'simple-json', default: '[]' }) allow_groups: string[];
  @Column({ type: 'simple-json', default: '[]' }) scopes: string[];
}

/** A token revocation: exactly one of `jti` (with the `exp` it is kept until) or `client_id` (with `revoked_before`). */
@Entity('revocation')
export class RevocationEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column({ type: 'text', nullable: true }) jti: string | null;
  /** The client a jti revocation is for; null = every client (an operator's global revocation). */
  @Column({ type: 'text', nullable: true }) jti_client_id: string | null;
  /** Unix seconds; the row is purged once this (plus clock_skew_seconds) has passed. */
  @Column({ type: 'integer', nullable: true }) exp: number | null;
  @Column({ type: 'text', nullable: true, unique: true }) client_id: string | null;
  /** Unix seconds; tokens of this client with an older (or no) `iat` are refused. */
  @Column({ type: 'integer', nullable: true }) revoked_before: number | null;
  @Column({ type: 'text' }) created_at: string;
}

export const ENTITIES = [SettingsEntity, RevisionEntity, ConsumerEntity, RouteEntity, RuleEntity, RevocationEntity, SigningKeyEntity];
