import { useEffect, useState } from 'react';
import { Alert, Button, Label, PageSection, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { api, get, type Schemas } from '../../api/client';

type Task = Schemas['Task'];
const COLORS: Record<string, 'green' | 'orange' | 'red' | 'grey'> = { SUCCESSFUL: 'green', WARNING: 'orange', ERROR: 'red', UNKNOWN: 'grey' };

/** `/admin/system_tasks/`: background tasks, their last result, and retry. */
export function SystemTasks() {
  const [tasks, setTasks] = useState<Task[]>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => { get<Task[]>('/admin/system_tasks/').then(setTasks, (e: Error) => setError(e.message)); }, [tick]);
  const retry = async (name: string) => {
    setError(undefined);
    try {
      await api('POST', `/admin/system_tasks/${encodeURIComponent(name)}/retry/`);
      setTimeout(() => setTick((t) => t + 1), 500);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <PageSection><Title headingLevel="h1">System Tasks</Title><p className="ak-muted">Long-running operations which authentik executes in the background.</p></PageSection>
      <PageSection>
        {error ? <Alert variant="danger" isInline title={error} role="alert" /> : null}
        <div className="ak-table-wrap">
          <Table aria-label="System tasks" variant="compact">
            <Thead><Tr><Th>Identifier</Th><Th>Description</Th><Th>Last run</Th><Th>Status</Th><Th>Messages</Th><Th screenReaderText="Actions" /></Tr></Thead>
            <Tbody>
              {(tasks ?? []).map((task) => (
                <Tr key={task.task_name}>
                  <Td dataLabel="Identifier">{task.task_name}</Td>
                  <Td dataLabel="Description">{task.task_description}</Td>
                  <Td dataLabel="Last run">{new Date(task.task_finish_timestamp).toLocaleString()}</Td>
                  <Td dataLabel="Status"><Label color={COLORS[task.status] ?? 'grey'} isCompact>{task.status}</Label></Td>
                  <Td dataLabel="Messages">{task.messages.map((m, i) => <div key={i}>{typeof m === 'string' ? m : JSON.stringify(m)}</div>)}</Td>
                  <Td><Button variant="secondary" size="sm" onClick={() => retry(task.task_name)}>Retry</Button></Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        </div>
      </PageSection>
    </>
  );
}
