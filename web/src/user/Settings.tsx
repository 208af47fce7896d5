import { useEffect, useState } from 'react';
import { Alert, Button, Card, CardBody, ClipboardCopy, Label, List, ListItem, PageSection, Tab, Tabs, TabTitleText, Title } from '@patternfly/react-core';
import { api, get, type Schemas } from '../api/client';
import type { SessionUser } from '../common/me';
import type { CurrentTenant } from '../common/tenant';
import { FlowExecutor } from '../flow/FlowExecutor';
import { collection } from '../admin/models';
import { ModelList } from '../admin/ModelList';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';

function TokenKey({ identifier }: { identifier: string }) {
  const [key, setKey] = useState<string>();
  if (key) return <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" variant="inline-compact">{key}</ClipboardCopy>;
  return <Button variant="link" isInline onClick={async () => setKey((await get<Schemas['TokenView']>(`/core/tokens/${encodeURIComponent(identifier)}/view_key/`)).key)}>Show key</Button>;
}

/** Enrolment and change links of the stages a user configures themself (password, MFA), from the API. */
function StageSettings() {
  const [settings, setSettings] = useState<Schemas['UserSetting'][]>();
  const [error, setError] = useState<string>();
  useEffect(() => { get<Schemas['UserSetting'][]>('/stages/all/user_settings/').then(setSettings, (e: Error) => setError(e.message)); }, []);
  if (error) return <Alert variant="warning" isInline isPlain title={error} />;
  if (!settings?.length) return <p className="ak-muted">No stages offer settings here.</p>;
  return (
    <List isPlain>
      {settings.map((s) => (
        <ListItem key={s.object_uid}>{s.configure_url ? <a href={s.configure_url}>{s.title}</a> : s.title}</ListItem>
      ))}
    </List>
  );
}

type Device = Schemas['Device'];

/** The model part of a device's type (`authentik_stages_authenticator_totp.totpdevice` → `totp`), as its API path has it. */
function deviceType(device: Device): string {
  return device.meta_model_name.split('.').pop()?.replace(/device$/, '') ?? '';
}

/** The user's MFA devices (`/authenticators/all/`), renamed and deleted through their type's endpoint. */
function Devices() {
  const [devices, setDevices] = useState<Device[]>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => { get<Device[]>('/authenticators/all/').then(setDevices, (e: Error) => setError(e.message)); }, [tick]);
  const act = async (action: () => Promise<unknown>) => {
    try { await action(); setTick((t) => t + 1); } catch (e) { setError((e as Error).message); }
  };
  if (error) return <Alert variant="warning" isInline isPlain title={error} />;
  if (!devices) return null;
  if (!devices.length) return <p className="ak-muted">No MFA devices enrolled.</p>;
  return (
    <Table aria-label="MFA devices" variant="compact">
      <Thead><Tr><Th>Name</Th><Th>Type</Th><Th>Confirmed</Th><Th screenReaderText="Actions" /></Tr></Thead>
      <Tbody>
        {devices.map((device) => (
          <Tr key={`${device.meta_model_name}-${device.pk}`}>
            <Td dataLabel="Name">{device.name}</Td>
            <Td dataLabel="Type">{device.verbose_name}</Td>
            <Td dataLabel="Confirmed">{device.confirmed ? 'Yes' : 'No'}</Td>
            <Td>
              <Button variant="link" isInline onClick={() => {
                const name = window.prompt('New name of the device', device.name);
                if (name) void act(() => api('PATCH', `/authenticators/${deviceType(device)}/${device.pk}/`, { body: { name } }));
              }}>Rename</Button>{' '}
              <Button variant="link" isDanger isInline onClick={() => {
                if (window.confirm(`Delete ${device.name}?`)) void act(() => api('DELETE', `/authenticators/${deviceType(device)}/${device.pk}/`));
              }}>Delete</Button>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

/** The user's own settings: profile (user settings flow), password and MFA, tokens, consents, sessions. */
export function Settings({ me, tenant }: { me: SessionUser; tenant: CurrentTenant }) {
  const [tab, setTab] = useState<string | number>('details');
  const username = me.user.username;
  return (
    <>
      <PageSection><Title headingLevel="h1">User settings</Title></PageSection>
      <PageSection>
        <Tabs activeKey={tab} onSelect={(_e, key) => setTab(key)} aria-label="Settings" isBox mountOnEnter unmountOnExit>
          <Tab eventKey="details" title={<TabTitleText>User details</TabTitleText>}>
            <Card><CardBody>
              {tenant.flow_user_settings ? <FlowExecutor slug={tenant.flow_user_settings} embedded /> : (
                <List isPlain>
                  <ListItem>Username: {me.user.username}</ListItem>
                  <ListItem>Name: {me.user.name}</ListItem>
                  <ListItem>Email: {me.user.email}</ListItem>
                  <ListItem className="ak-muted">No user settings flow is configured for this tenant.</ListItem>
                </List>
              )}
            </CardBody></Card>
          </Tab>
          <Tab eventKey="mfa" title={<TabTitleText>Password and MFA</TabTitleText>}>
            <Card><CardBody><Title headingLevel="h2" size="md">Change and enrol</Title><StageSettings /></CardBody></Card>
            <Card><CardBody><Title headingLevel="h2" size="md">MFA devices</Title><Devices /></CardBody></Card>
          </Tab>
          <Tab eventKey="tokens" title={<TabTitleText>Tokens and App passwords</TabTitleText>}>
            <Card><CardBody>
              <ModelList
                collection={collection('/core/tokens/')!} linkRows={false} query={{ user__username: username }}
                createFixed={{ user: me.user.pk }} createExclude={['managed']} columns={['identifier', 'intent', 'expires', 'description']}
                extraColumns={[{ title: 'Key', cell: (token) => <TokenKey identifier={String(token.identifier)} /> }]}
              />
            </CardBody></Card>
          </Tab>
          <Tab eventKey="consent" title={<TabTitleText>Consent</TabTitleText>}>
            <Card><CardBody>
              <ModelList
                collection={collection('/core/user_consent/')!} linkRows={false} query={{ user: me.user.pk }} columns={['application', 'expires', 'permissions']}
              />
            </CardBody></Card>
          </Tab>
          <Tab eventKey="sessions" title={<TabTitleText>Sessions</TabTitleText>}>
            <Card><CardBody>
              <ModelList
                collection={collection('/core/authenticated_sessions/')!} linkRows={false} query={{ user__username: username }} columns={['last_ip', 'last_used', 'expires']}
                extraColumns={[
                  {
                    title: 'Device',
                    cell: (s) => {
                      const agent = s.user_agent as { user_agent?: { family?: string }; os?: { family?: string } } | undefined;
                      return [agent?.user_agent?.family, agent?.os?.family].filter(Boolean).join(' on ') || String(s.last_user_agent ?? '–');
                    },
                  },
                  { title: 'Current', cell: (s) => (s.current ? <Label color="green" isCompact>This session</Label> : null) },
                ]}
              />
            </CardBody></Card>
          </Tab>
        </Tabs>
      </PageSection>
    </>
  );
}
