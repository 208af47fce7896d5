import { useState } from 'react';
import { Button, Card, CardBody, CardTitle, Modal, ModalBody, ModalHeader, Switch, TextInput } from '@patternfly/react-core';
import { api } from '../../api/client';
import { collection } from '../models';
import type { Row } from '../objects';
import { ModelList } from '../ModelList';
import { FormModal } from '../forms/FormModal';

/** A number edited where it is shown, saved with PATCH when it changes (a binding's order). */
function InlineNumber({ label, value, save }: { label: string; value: number; save(value: number): Promise<void> }) {
  const [text, setText] = useState(String(value));
  const commit = () => { if (text !== String(value) && text.trim() !== '') void save(Number(text)); };
  return (
    <TextInput aria-label={label} type="number" value={text} onChange={(_e, v) => setText(v)} onBlur={commit}
      onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); commit(); } }} style={{ width: '6rem' }} />
  );
}

function EditButton({ row, path, schemaName, fixed, reload, title }: { row: Row; path: string; schemaName: string; fixed: Row; reload(): void; title: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>Edit</Button>
      {open ? (
        <FormModal title={title} schemaName={schemaName} initial={row} fixed={fixed} submitLabel="Update" onClose={() => setOpen(false)}
          onSubmit={async (values) => { await api('PUT', `${path}${String(row.pk)}/`, { body: values }); reload(); }} />
      ) : null}
    </>
  );
}

/** Policy, group and user bindings of any binding target (flow, stage binding, application…). */
export function PolicyBindings({ target, title = 'Policy / Group / User Bindings' }: { target: string; title?: string }) {
  const c = collection('/policies/bindings/')!;
  return (
    <ModelList
      collection={c} title={title} query={{ target, ordering: 'order' }} createFixed={{ target }} linkRows={false}
      columns={['order', 'policy', 'group', 'user', 'timeout']}
      extraColumns={[
        {
          title: 'Enabled',
          cell: (row, reload) => (
            <Switch id={`enabled-${String(row.pk)}`} aria-label="Enabled" isChecked={Boolean(row.enabled)}
              onChange={async (_e, on) => { await api('PATCH', `/policies/bindings/${String(row.pk)}/`, { body: { enabled: on } }); reload(); }} />
          ),
        },
        {
          title: 'Actions',
          cell: (row, reload) => <EditButton row={row} path="/policies/bindings/" schemaName="PolicyBindingRequest" fixed={{ target }} reload={reload} title="Update binding" />,
        },
      ]}
    />
  );
}

function BindingPolicies({ binding }: { binding: Row }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="link" isInline onClick={() => setOpen(true)}>Policies</Button>
      {open ? (
        <Modal isOpen onClose={() => setOpen(false)} variant="large" aria-labelledby="ak-binding-policies">
          <ModalHeader title={`Policies of stage binding ${String(binding.order)}`} labelId="ak-binding-policies" />
          <ModalBody><PolicyBindings target={String(binding.pk)} /></ModalBody>
        </Modal>
      ) : null}
    </>
  );
}

/** A flow's stage bindings, editable in place (order, settings, policies), and its own policy bindings. */
export function FlowBindings({ flow }: { flow: Row }) {
  const target = String(flow.pk);
  const c = collection('/flows/bindings/')!;
  return (
    <>
      <Card>
        <CardTitle>Stage Bindings</CardTitle>
        <CardBody>
          <ModelList
            collection={c} query={{ target, ordering: 'order' }} createFixed={{ target }} linkRows={false} pageSize={50}
            columns={['stage', 'evaluate_on_plan', 're_evaluate_policies', 'invalid_response_action']}
            extraColumns={[
              {
                title: 'Order',
                cell: (row, reload) => (
                  <InlineNumber key={String(row.order)} label={`Order of ${String((row.stage_obj as Row | undefined)?.name ?? 'stage')}`} value={Number(row.order)}
                    save={async (order) => { await api('PATCH', `/flows/bindings/${String(row.pk)}/`, { body: { order } }); reload(); }} />
                ),
              },
              { title: 'Policies', cell: (row) => <BindingPolicies binding={row} /> },
              {
                title: 'Actions',
                cell: (row, reload) => <EditButton row={row} path="/flows/bindings/" schemaName="FlowStageBindingRequest" fixed={{ target }} reload={reload} title="Update stage binding" />,
              },
            ]}
          />
        </CardBody>
      </Card>
      <Card>
        <CardTitle>Policy Bindings</CardTitle>
        <CardBody><PolicyBindings target={target} title="" /></CardBody>
      </Card>
    </>
  );
}
