import { useState, type ComponentType } from 'react';
import { Alert, Button, Card, CardBody, CardTitle, Flex, FormSelect, FormSelectOption, Stack, TextInput } from '@patternfly/react-core';
import { api, type Schemas } from '../../api/client';
import { navigate } from '../../common/router';
import { enumOptions, schemaByName, type Collection } from '../models';
import type { Row } from '../objects';
import { ModelList } from '../ModelList';
import type { DetailExtension } from '../ModelDetail';
import { ApplicationWizard } from './ApplicationWizard';
import { FlowBindings, PolicyBindings } from './Bindings';
import { GroupMembers, UserActions, UserGroups } from './Directory';

function ApplicationsPage({ collection }: { collection: Collection }) {
  const [wizard, setWizard] = useState(false);
  const [tick, setTick] = useState(0);
  return (
    <Stack hasGutter>
      <Flex><Button variant="secondary" onClick={() => setWizard(true)}>Create with provider</Button></Flex>
      <ModelList collection={collection} refreshKey={tick} columns={['name', 'slug', 'group', 'provider', 'meta_launch_url']} />
      {wizard ? <ApplicationWizard onClose={() => setWizard(false)} onCreated={(slug) => { setTick((t) => t + 1); navigate(`/core/applications/${slug}`); }} /> : null}
    </Stack>
  );
}

function EventsPage({ collection }: { collection: Collection }) {
  const [action, setAction] = useState('');
  const [username, setUsername] = useState('');
  const [clientIp, setClientIp] = useState('');
  const actions = enumOptions(schemaByName('Event').properties!.action);
  return (
    <Stack hasGutter>
      <Flex>
        <FormSelect aria-label="Action" value={action} onChange={(_e, v) => setAction(v)} style={{ maxWidth: 260 }}>
          <FormSelectOption value="" label="Any action" />
          {actions.map((a) => <FormSelectOption key={a.value} value={a.value} label={a.label} />)}
        </FormSelect>
        <TextInput aria-label="Username" placeholder="Username" value={username} onChange={(_e, v) => setUsername(v)} style={{ maxWidth: 200 }} />
        <TextInput aria-label="Client IP" placeholder="Client IP" value={clientIp} onChange={(_e, v) => setClientIp(v)} style={{ maxWidth: 200 }} />
      </Flex>
      <ModelList
        collection={collection} columns={['action', 'app', 'client_ip', 'created']}
        query={{ ordering: '-created', ...(action ? { action } : {}), ...(username ? { username } : {}), ...(clientIp ? { client_ip: clientIp } : {}) }}
        extraColumns={[{ title: 'User', cell: (row) => String((row.user as Row | undefined)?.username ?? '–') }]}
      />
    </Stack>
  );
}

function ApplyBlueprint({ blueprint, reload }: { blueprint: Row; reload(): void }) {
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const apply = async () => {
    try {
      const updated = await api<Schemas['BlueprintInstance']>('POST', `/managed/blueprints/${String(blueprint.pk)}/apply/`);
      setResult({ ok: updated.status === 'successful', text: `Status: ${updated.status}` });
      reload();
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    }
  };
  return (
    <Flex>
      <Button variant="secondary" size="sm" onClick={apply}>Apply</Button>
      {result ? <Alert variant={result.ok ? 'success' : 'danger'} isInline isPlain title={result.text} /> : null}
    </Flex>
  );
}

function BlueprintsPage({ collection }: { collection: Collection }) {
  return (
    <ModelList collection={collection} columns={['name', 'path', 'status', 'enabled', 'last_applied']}
      extraColumns={[{ title: 'Actions', cell: (row, reload) => <ApplyBlueprint blueprint={row} reload={reload} /> }]} />
  );
}

/** Lists that are more than the generic one. */
export const LIST_PAGES: Record<string, ComponentType<{ collection: Collection }>> = {
  '/core/applications/': ApplicationsPage,
  '/events/events/': EventsPage,
  '/managed/blueprints/': BlueprintsPage,
};

/** Hand-made parts of detail pages, on top of the generated fields and forms. */
export const DETAIL_EXTENSIONS: Record<string, DetailExtension> = {
  '/flows/instances/': {
    actions: (flow) => <Button component="a" variant="secondary" href={`/if/flow/${String(flow.slug)}/`}>Execute</Button>,
    sections: (flow) => <FlowBindings flow={flow} />,
  },
  '/core/applications/': {
    actions: (app) => (app.launch_url ? <Button component="a" variant="secondary" href={String(app.launch_url)}>Launch</Button> : null),
    sections: (app) => <Card><CardTitle>Policy / Group / User Bindings</CardTitle><CardBody><PolicyBindings target={String(app.pk)} title="" /></CardBody></Card>,
  },
  '/core/users/': {
    actions: (user) => <UserActions user={user} />,
    sections: (user) => <UserGroups user={user} />,
  },
  '/core/groups/': {
    sections: (group) => <GroupMembers group={group} />,
  },
  '/managed/blueprints/': {
    actions: (blueprint, reload) => <ApplyBlueprint blueprint={blueprint} reload={reload} />,
  },
};
