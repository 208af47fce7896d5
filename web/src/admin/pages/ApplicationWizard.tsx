import { useState } from 'react';
import { Alert, Button, Content, Modal, ModalBody, ModalFooter, ModalHeader, Radio, Stack } from '@patternfly/react-core';
import { api, ApiError } from '../../api/client';
import { collection, concreteCollection, enumOptions, modelName, schemaByName } from '../models';
import { SchemaForm } from '../forms/SchemaForm';
import { useCreationDefaults } from '../forms/creationDefaults';

type Values = Record<string, unknown>;

/**
 * Creates an application and its provider in one step through `/core/transactional/applications/`, as
 * authentik's application wizard does: application, provider type, provider settings.
 */
export function ApplicationWizard({ onClose, onCreated }: { onClose(): void; onCreated(slug: string): void }) {
  const [step, setStep] = useState<1 | 2 | 3>(1);
  const [app, setApp] = useState<Values>({});
  const [model, setModel] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const providers = collection('/providers/all/')!;
  const types = enumOptions(schemaByName('TransactionApplicationRequest').properties!.provider_model)
    .map((o) => ({ model: o.value, target: concreteCollection(o.value, providers) }))
    .filter((t) => t.target?.create);
  const target = types.find((t) => t.model === model)?.target;
  const defaults = useCreationDefaults(target?.create);

  const create = async (provider: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      await api('PUT', '/core/transactional/applications/', { body: { app, provider_model: model, provider } });
      onCreated(String(app.slug));
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.body && typeof e.body === 'object') {
        const body = e.body as Record<string, unknown>;
        if (body.app) setError(`Application: ${ApiError.describe(400, body.app)}`);
        if (body.provider && typeof body.provider === 'object') throw new ApiError(400, body.provider);
        if (!body.app) throw e;
      } else throw e;
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal isOpen onClose={onClose} variant="medium" aria-labelledby="ak-wizard-title">
      <ModalHeader title="New application" labelId="ak-wizard-title" description={`Step ${step} of 3: ${['Application', 'Provider type', 'Provider'][step - 1]}`} />
      <ModalBody>
        {error ? <Alert variant="danger" isInline title={error} role="alert" /> : null}
        {step === 1 ? (
          <SchemaForm id="ak-wizard-app" schemaName="ApplicationRequest" initial={app} exclude={['provider', 'backchannel_providers']}
            onSubmit={async (values) => { setApp(values); setStep(2); }} />
        ) : null}
        {step === 2 ? (
          <Stack hasGutter role="radiogroup" aria-label="Provider type">
            <Content component="p">Choose the protocol the application speaks.</Content>
            {types.map((t) => (
              <Radio key={t.model} id={`ak-provider-${t.model}`} name="provider-type" isChecked={model === t.model} onChange={() => setModel(t.model)}
                label={modelName(t.target!)} description={schemaByName(t.target!.create!).description?.split('\n')[0]} />
            ))}
          </Stack>
        ) : null}
        {step === 3 && target?.create && defaults ? (
          <SchemaForm key={target.path} id="ak-wizard-provider" schemaName={target.create} initial={{ ...defaults, name: `Provider for ${String(app.name ?? '')}` }} onSubmit={create} />
        ) : null}
      </ModalBody>
      <ModalFooter>
        {step === 1 ? <Button type="submit" form="ak-wizard-app" variant="primary">Next</Button> : null}
        {step === 2 ? <Button variant="primary" isDisabled={!target} onClick={() => setStep(3)}>Next</Button> : null}
        {step === 3 ? <Button type="submit" form="ak-wizard-provider" variant="primary" isLoading={busy} isDisabled={busy}>Create</Button> : null}
        {step > 1 ? <Button variant="secondary" onClick={() => setStep((step - 1) as 1 | 2)}>Back</Button> : null}
        <Button variant="link" onClick={onClose}>Cancel</Button>
      </ModalFooter>
    </Modal>
  );
}
