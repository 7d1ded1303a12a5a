/**
 * The one list of token signing algorithms (docs/signing-keys.md): HS256 signs with the client's
 * secret, as Higress does; every other one with a gateway key pair published as a JWKS. The
 * settings schema, the DTOs, the store's entities and the CLI's choices all take it from here.
 */
export const SIGNING_ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The algorithms signed with a gateway key pair (the `alg` of a signing key). */
export type AsymmetricAlg = Exclude<SigningAlg, 'HS256'>;
export const ASYMMETRIC_ALGS: readonly AsymmetricAlg[] = Object.freeze(SIGNING_ALGS.filter((a): a is AsymmetricAlg => a !== 'HS256'));

export const isAsymmetricAlg = (alg: unknown): alg is AsymmetricAlg => (ASYMMETRIC_ALGS as readonly unknown[]).includes(alg);
