import { useState } from 'react';
import { Alert, Button, Card, CardBody, CardTitle, ClipboardCopy, Flex, Form, FormGroup, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { api, get, type Schemas } from '../../api/client';
import { collection } from '../models';
import type { Row } from '../objects';
import { ModelList } from '../ModelList';
import { ReferencePicker } from '../forms/ReferencePicker';
import { PasswordInput } from '../../flow/stages/PasswordInput';

function SetPassword({ user, onClose }: { user: Row; onClose(): void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const submit = async () => {
    try {
      await api('POST', `/core/users/${String(user.pk)}/set_password/`, { body: { password } });
      setDone(true);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Modal isOpen onClose={onClose} variant="small" aria-labelledby="ak-set-password">
      <ModalHeader title={`Set password of ${String(user.username)}`} labelId="ak-set-password" />
      <ModalBody>
        {error ? <Alert variant="danger" isInline title={error} role="alert" /> : null}
        {done ? <Alert variant="success" isInline title="Password updated." /> : (
          <Form id="ak-set-password-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
            <FormGroup label="Password" isRequired fieldId="ak-new-password">
              <PasswordInput id="ak-new-password" name="password" value={password} onChange={setPassword} autoComplete="new-password" autoFocus required />
            </FormGroup>
          </Form>
        )}
      </ModalBody>
      <ModalFooter>
        {!done ? <Button type="submit" form="ak-set-password-form" variant="primary" isDisabled={!password}>Set password</Button> : null}
        <Button variant="link" onClick={onClose}>Done</Button>
      </ModalFooter>
    </Modal>
  );
}

/** Set password, recovery link and impersonation, as authentik's user page offers them. */
export function UserActions({ user }: { user: Row }) {
  const [setting, setSetting] = useState(false);
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<string>();
  const recovery = async () => {
    setError(undefined);
    try {
      setLink((await get<Schemas['Link']>(`/core/users/${String(user.pk)}/recovery/`)).link);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const impersonate = async () => {
    try {
      await api('POST', `/core/users/${String(user.pk)}/impersonate/`);
      window.location.assign('/if/user/');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <Button variant="secondary" onClick={() => setSetting(true)}>Set password</Button>
      <Button variant="secondary" onClick={recovery}>Recovery link</Button>
      <Button variant="secondary" onClick={impersonate}>Impersonate</Button>
      {setting ? <SetPassword user={user} onClose={() => setSetting(false)} /> : null}
      {link || error ? (
        <Modal isOpen onClose={() => { setLink(undefined); setError(undefined); }} variant="medium" aria-labelledby="ak-recovery">
          <ModalHeader title={error ? 'Failed' : 'Recovery link'} labelId="ak-recovery" />
          <ModalBody>
            {error ? <Alert variant="danger" isInline title={error} role="alert" /> : <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied">{link ?? ""}</ClipboardCopy>}
          </ModalBody>
        </Modal>
      ) : null}
    </>
  );
}

/** Adds or removes a user in a group (`/core/groups/<uuid>/add_user/`, `remove_user/`). */
async function membership(group: string, user: number, add: boolean) {
  await api('POST', `/core/groups/${group}/${add ? 'add_user' : 'remove_user'}/`, { body: { pk: user } });
}

function AddRelated({ label, path, onAdd }: { label: string; path: string; onAdd(value: string): Promise<void> }) {
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  return (
    <Flex alignItems={{ default: 'alignItemsFlexEnd' }}>
      <div style={{ minWidth: 260 }}>
        <ReferencePicker id={`ak-add-${label.replace(/\W/g, '')}`} reference={{ path, value: 'pk' }} value={value} onChange={setValue} nullable label={label} />
      </div>
      <Button variant="secondary" isDisabled={!value} onClick={async () => {
        try { await onAdd(value!); setValue(null); setError(undefined); } catch (e) { setError((e as Error).message); }
      }}>Add</Button>
      {error ? <span className="ak-muted">{error}</span> : null}
    </Flex>
  );
}

export function UserGroups({ user }: { user: Row }) {
  const [tick, setTick] = useState(0);
  return (
    <Card>
      <CardTitle>Groups</CardTitle>
      <CardBody>
        <AddRelated label="Group" path="/core/groups/" onAdd={async (group) => { await membership(group, Number(user.pk), true); setTick((t) => t + 1); }} />
        <ModelList
          collection={collection('/core/groups/')!} query={{ members_by_pk: Number(user.pk) }} refreshKey={tick} columns={['name', 'is_superuser', 'parent']}
          extraColumns={[{ title: 'Actions', cell: (row, reload) => <Button variant="link" isInline onClick={async () => { await membership(String(row.pk), Number(user.pk), false); reload(); }}>Remove</Button> }]}
        />
      </CardBody>
    </Card>
  );
}

export function GroupMembers({ group }: { group: Row }) {
  const [tick, setTick] = useState(0);
  return (
    <Card>
      <CardTitle>Members</CardTitle>
      <CardBody>
        <AddRelated label="User" path="/core/users/" onAdd={async (user) => { await membership(String(group.pk), Number(user), true); setTick((t) => t + 1); }} />
        <ModelList
          collection={collection('/core/users/')!} query={{ groups_by_pk: String(group.pk) }} refreshKey={tick} columns={['username', 'name', 'is_active', 'last_login']}
          extraColumns={[{ title: 'Actions', cell: (row, reload) => <Button variant="link" isInline onClick={async () => { await membership(String(group.pk), Number(row.pk), false); reload(); }}>Remove</Button> }]}
        />
      </CardBody>
    </Card>
  );
}
