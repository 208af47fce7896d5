import { useEffect, useState } from 'react';
import { Alert, Button, List, ListItem, Modal, ModalBody, ModalFooter, ModalHeader, Spinner } from '@patternfly/react-core';
import { api, get, type Schemas } from '../../api/client';
import { fieldLabel } from '../models';

export interface DeleteTarget {
  label: string;
  /** The object's API path (`/core/applications/<slug>/`). */
  path: string;
  usedBy: boolean;
}

type UsedBy = Schemas['UsedBy'];

const ACTIONS: Record<string, string> = { CASCADE: 'will be deleted', CASCADE_MANY: 'will be deleted', SET_NULL: 'will lose this reference', SET_DEFAULT: 'will be reset' };

/** Bulk delete that first shows what else uses each object (`used_by`), as authentik's delete form does. */
export function DeleteModal({ targets, onClose, onDeleted }: { targets: DeleteTarget[]; onClose(): void; onDeleted(): void }) {
  const [usage, setUsage] = useState<Record<string, UsedBy[]>>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    Promise.all(targets.map(async (t) => [t.path, t.usedBy ? await get<UsedBy[]>(`${t.path}used_by/`).catch(() => []) : []] as const))
      .then((entries) => setUsage(Object.fromEntries(entries)));
  }, [targets]);
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      for (const target of targets) await api('DELETE', target.path);
      onDeleted();
      onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal isOpen onClose={onClose} variant="medium" aria-labelledby="ak-delete-title">
      <ModalHeader title={`Delete ${targets.length === 1 ? targets[0].label : `${targets.length} objects`}`} labelId="ak-delete-title" titleIconVariant="warning" />
      <ModalBody>
        {error ? <Alert variant="danger" isInline title={error} role="alert" /> : null}
        {!usage ? <Spinner size="md" aria-label="Loading usage" /> : (
          <List>
            {targets.map((target) => (
              <ListItem key={target.path}>
                <strong>{target.label}</strong>
                {usage[target.path]?.length ? (
                  <List>
                    {usage[target.path].map((u, i) => (
                      <ListItem key={i}>{fieldLabel(u.model_name)} “{u.name}” {ACTIONS[u.action] ?? u.action}</ListItem>
                    ))}
                  </List>
                ) : <span className="ak-muted"> — not used by anything else</span>}
              </ListItem>
            ))}
          </List>
        )}
      </ModalBody>
      <ModalFooter>
        <Button variant="danger" onClick={remove} isLoading={busy} isDisabled={busy || !usage}>Delete</Button>
        <Button variant="link" onClick={onClose}>Cancel</Button>
      </ModalFooter>
    </Modal>
  );
}
