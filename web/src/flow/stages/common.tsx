import { Alert, Avatar, Button, Flex, FlexItem, FormHelperText, HelperText, HelperTextItem } from '@patternfly/react-core';
import type { ResponseErrors } from '../types';

/** Errors of one field from `response_errors`, shown under it. */
export function FieldErrors({ errors, field, id }: { errors: ResponseErrors; field: string; id?: string }) {
  const list = errors?.[field] ?? [];
  if (!list.length) return null;
  return (
    <FormHelperText>
      <HelperText id={id} aria-live="polite">
        {list.map((error, index) => (
          <HelperTextItem key={index} variant="error">{error.string}</HelperTextItem>
        ))}
      </HelperText>
    </FormHelperText>
  );
}

export const hasErrors = (errors: ResponseErrors, field: string) => Boolean(errors?.[field]?.length);

/** Errors not tied to a field (`non_field_errors`), or tied to fields this stage does not show. */
export function GeneralErrors({ errors, shown = [] }: { errors: ResponseErrors; shown?: string[] }) {
  const entries = Object.entries(errors ?? {}).filter(([field]) => !shown.includes(field));
  if (!entries.length) return null;
  return (
    <Alert variant="danger" isInline isPlain role="alert" title={entries.flatMap(([, list]) => list.map((e) => e.string)).join(' ')} />
  );
}

/** "Logged in as <user>. Not you?": the pending user of a flow, with a way out. */
export function PendingUser({ user, avatar, cancelUrl }: { user: string; avatar?: string; cancelUrl?: string }) {
  return (
    <Flex className="ak-pending-user" alignItems={{ default: 'alignItemsCenter' }} spaceItems={{ default: 'spaceItemsSm' }}>
      {avatar ? <FlexItem><Avatar src={avatar} alt="" size="sm" onError={(e) => { e.currentTarget.style.display = 'none'; }} /></FlexItem> : null}
      <FlexItem grow={{ default: 'grow' }}><strong>{user}</strong></FlexItem>
      {cancelUrl ? <FlexItem><Button component="a" variant="link" isInline href={cancelUrl}>Not you?</Button></FlexItem> : null}
    </Flex>
  );
}
