import { useId, useState } from 'react';
import { Button, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { SchemaForm } from './SchemaForm';

interface Props {
  title: string;
  schemaName: string;
  initial?: Record<string, unknown>;
  fixed?: Record<string, unknown>;
  exclude?: string[];
  submitLabel?: string;
  onSubmit(values: Record<string, unknown>): Promise<void>;
  onClose(): void;
}

/** A generated form in a modal, as authentik's create/update forms are. */
export function FormModal({ title, schemaName, initial, fixed, exclude, submitLabel = 'Save', onSubmit, onClose }: Props) {
  const formId = `form-${useId().replace(/:/g, '')}`;
  const [busy, setBusy] = useState(false);
  const submit = async (values: Record<string, unknown>) => {
    setBusy(true);
    try {
      await onSubmit(values);
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal isOpen onClose={onClose} variant="medium" aria-labelledby={`${formId}-title`}>
      <ModalHeader title={title} labelId={`${formId}-title`} />
      <ModalBody>
        <SchemaForm id={formId} schemaName={schemaName} initial={initial} fixed={fixed} exclude={exclude} onSubmit={submit} />
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form={formId} variant="primary" isLoading={busy} isDisabled={busy}>{submitLabel}</Button>
        <Button variant="link" onClick={onClose}>Cancel</Button>
      </ModalFooter>
    </Modal>
  );
}
