import type { CompiledConsumer, ScopeSet } from './snapshot';

/**
 * Effective scopes (SPEC §8.3): the token's `scope` claim ∩ the consumer's CURRENT scopes, in the
 * claim's order. An unrestricted consumer (scopes null) has none: a scope it asked for itself is in
 * its token (Higress behaviour) but never satisfies a rule nor reaches X-Authenticated-Scope.
 */
export const NO_SCOPES: ScopeSet = Object.freeze({ text: '', set: new Set<string>() });

/** Per claims object (the token cache hands the same one back for a token): the consumer it was computed for, and the result. */
const memo = new WeakMap<object, { consumer: CompiledConsumer; scopes: ScopeSet }>();

/** The compiled form of a consumer's scope list (null stays null: unrestricted). */
export function scopeSetOf(scopes: readonly string[] | null | undefined): ScopeSet | null {
  return scopes === null || scopes === undefined ? null : { text: scopes.join(' '), set: new Set(scopes) };
}

export function effectiveScopes(claims: { readonly scope?: unknown }, consumer: CompiledConsumer | undefined): ScopeSet {
  const own = consumer?.scopeSet;
  if (own === null || own === undefined) return NO_SCOPES;
  const claim = claims.scope;
  if (typeof claim !== 'string' || claim.length === 0) return NO_SCOPES;
  // The usual token asked for nothing and got the whole list: no work at all.
  if (claim === own.text) return own;
  const hit = memo.get(claims);
  if (hit !== undefined && hit.consumer === consumer) return hit.scopes;
  const kept: string[] = [];
  for (const t of claim.split(' ')) if (own.set.has(t) && !kept.includes(t)) kept.push(t);
  const scopes = kept.length === 0 ? NO_SCOPES : { text: kept.join(' '), set: new Set(kept) };
  memo.set(claims, { consumer: consumer!, scopes });
  return scopes;
}

/** Every required scope among the effective ones. */
export function hasScopes(effective: ScopeSet, required: readonly string[]): boolean {
  for (let i = 0; i < required.length; i++) if (!effective.set.has(required[i])) return false;
  return true;
}
