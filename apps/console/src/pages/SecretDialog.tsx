import type { ConsumerWithSecretDto } from '../api/types';
import { CopyButton, ShownOnceDialog } from '../ui/ui';

/**
 * Shows a client secret once. The secret lives only in the state of the page that opened this and
 * is dropped when it closes; it is never written to storage, the URL, the history or the console log.
 */
export function SecretDialog({ consumer, verb, onClose }: { consumer: ConsumerWithSecretDto; verb: 'created' | 'rotated'; onClose: () => void }) {
  return (
    <ShownOnceDialog
      title={verb === 'created' ? `Consumer ${consumer.name} created` : `New secret for ${consumer.name}`}
      warning="Copy the client secret now: it is shown only this once. Neither the console nor the API can show it again; a lost secret is replaced with “Rotate secret”."
      onClose={onClose}
    >
      <dt>client_id</dt>
      <dd>
        <code data-testid="client-id">{consumer.client_id}</code> <CopyButton text={consumer.client_id} />
      </dd>
      <dt>client_secret</dt>
      <dd>
        <code data-testid="client-secret">{consumer.client_secret}</code> <CopyButton text={consumer.client_secret} label="Copy secret" />
      </dd>
    </ShownOnceDialog>
  );
}
