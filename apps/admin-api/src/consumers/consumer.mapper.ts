import type { ConsumerDto, ConsumerWithSecretDto, PageDto } from '@oauth2/contracts';
import type { ConsumerView, ConsumerWithSecret, Page } from '@oauth2/store';

/** Field by field on purpose: a secret reaches the wire only through `toConsumerWithSecret`. */
export function toConsumer(c: ConsumerView): ConsumerDto {
  return {
    name: c.name,
    client_id: c.client_id,
    created_at: c.created_at,
    scopes: c.scopes === null ? null : [...c.scopes],
    groups: [...c.groups],
    previous_secret_expires_at: c.previous_secret_expires_at,
    auth_method: c.auth_method,
    tls_subject: c.tls_subject,
    tls_thumbprint: c.tls_thumbprint,
  };
}

/** Used by create and rotate-secret only. */
export function toConsumerWithSecret(c: ConsumerWithSecret): ConsumerWithSecretDto {
  return { ...toConsumer(c), client_secret: c.client_secret };
}

export function toConsumerPage(p: Page<ConsumerView>): PageDto<ConsumerDto> {
  return { items: p.items.map(toConsumer), total: p.total };
}
