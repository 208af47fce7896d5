import { useEffect, useRef, type FormEvent } from 'react';
import { ActionGroup, Alert, Button, CodeBlock, CodeBlockCode, Content, Form, List, ListItem, Spinner } from '@patternfly/react-core';
import type { Schemas } from '../../api/client';
import type { StageProps } from '../types';
import { GeneralErrors, PendingUser } from './common';

function submitting(submit: StageProps<unknown>['submit'], payload: Record<string, unknown> = {}) {
  return (event: FormEvent) => {
    event.preventDefault();
    void submit(payload);
  };
}

export function ConsentStage({ challenge, submit, busy }: StageProps<Schemas['ConsentChallenge']>) {
  const permissions = challenge.permissions ?? [];
  const additional = challenge.additional_permissions ?? [];
  return (
    <Form onSubmit={submitting(submit, { token: challenge.token })}>
      <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} cancelUrl={challenge.flow_info?.cancel_url} />
      <GeneralErrors errors={challenge.response_errors} />
      {challenge.header_text ? <p className="ak-flow-lead">{challenge.header_text}</p> : null}
      {permissions.length ? (
        <>
          <p>{additional.length ? 'Application already has access to the following permissions:' : 'Application requires following permissions:'}</p>
          <List>{permissions.map((p) => <ListItem key={p.id}>{p.name}</ListItem>)}</List>
        </>
      ) : null}
      {additional.length ? (
        <>
          <p><strong>Application requires following new permissions:</strong></p>
          <List>{additional.map((p) => <ListItem key={p.id}>{p.name}</ListItem>)}</List>
        </>
      ) : null}
      <ActionGroup>
        <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy} autoFocus>Continue</Button>
      </ActionGroup>
    </Form>
  );
}

export function EmailStage({ challenge, submit, busy }: StageProps<Schemas['EmailChallenge']>) {
  return (
    <Form onSubmit={submitting(submit)}>
      <GeneralErrors errors={challenge.response_errors} />
      <p>Check your inbox for a verification email.</p>
      <ActionGroup>
        <Button type="submit" variant="secondary" isBlock isLoading={busy} isDisabled={busy}>Send email again.</Button>
      </ActionGroup>
    </Form>
  );
}

/** Sends the browser on with a POST form (SAML and friends), submitted as soon as it is shown. */
export function AutosubmitStage({ challenge }: StageProps<Schemas['AutosubmitChallenge']>) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => { form.current?.submit(); }, [challenge]);
  return (
    <form ref={form} method="post" action={challenge.url}>
      {Object.entries(challenge.attrs).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      <div className="ak-flow-center"><Spinner size="lg" aria-label="Loading" /></div>
      <ActionGroup><Button type="submit" variant="primary" isBlock>Continue</Button></ActionGroup>
    </form>
  );
}

export function DummyStage({ challenge, submit, busy }: StageProps<Schemas['DummyChallenge']>) {
  return (
    <Form onSubmit={submitting(submit)}>
      <GeneralErrors errors={challenge.response_errors} />
      <ActionGroup>
        <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy} autoFocus>Continue</Button>
      </ActionGroup>
    </Form>
  );
}

export function UserLoginStage({ challenge, submit, busy }: StageProps<Schemas['UserLoginChallenge']>) {
  return (
    <Form onSubmit={submitting(submit, { remember_me: true })}>
      <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} cancelUrl={challenge.flow_info?.cancel_url} />
      <GeneralErrors errors={challenge.response_errors} />
      <p className="ak-flow-lead">Stay signed in?</p>
      <p>Select Yes to reduce the number of times you're asked to sign in.</p>
      <ActionGroup className="ak-flow-actions-row">
        <Button type="submit" variant="primary" isLoading={busy} isDisabled={busy} autoFocus>Yes</Button>
        <Button type="button" variant="secondary" isDisabled={busy} onClick={() => void submit({ remember_me: false })}>No</Button>
      </ActionGroup>
    </Form>
  );
}

export function AccessDeniedStage({ challenge }: StageProps<Schemas['AccessDeniedChallenge']>) {
  return (
    <div className="ak-flow-denied">
      {challenge.pending_user ? <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} /> : null}
      <Alert variant="danger" isInline title="Request has been denied." role="alert">
        {challenge.error_message ? <p>{challenge.error_message}</p> : null}
      </Alert>
      {challenge.flow_info?.cancel_url ? <p className="ak-flow-alt"><a href={challenge.flow_info.cancel_url}>Go back</a></p> : null}
    </div>
  );
}

export function FlowErrorStage({ challenge }: StageProps<Schemas['FlowErrorChallenge']>) {
  return (
    <div>
      <Alert variant="danger" isInline title="Whoops!" role="alert">
        <p>Something went wrong! Please try again later.</p>
        {challenge.error ? <p className="ak-flow-error-message">{challenge.error}</p> : null}
      </Alert>
      {challenge.traceback ? (
        <CodeBlock className="ak-flow-traceback"><CodeBlockCode>{challenge.traceback}</CodeBlockCode></CodeBlock>
      ) : null}
      <Content component="small">Request ID: <code>{challenge.request_id}</code></Content>
    </div>
  );
}

/** Follows `xak-flow-redirect`: away from the page, or back into this flow's executor. */
export function RedirectStage({ challenge }: StageProps<Schemas['RedirectChallenge']>) {
  useEffect(() => { window.location.assign(challenge.to); }, [challenge]);
  return (
    <div className="ak-flow-center">
      <Spinner size="lg" aria-label="Redirecting" />
      <p>Redirecting… <a href={challenge.to}>Continue</a></p>
    </div>
  );
}

export function ShellStage({ challenge }: StageProps<Schemas['ShellChallenge']>) {
  // A shell challenge is HTML rendered by the server for this page, shown as is (as authentik does).
  return <div dangerouslySetInnerHTML={{ __html: challenge.body }} />;
}

export function UnknownStage({ component }: { component: string }) {
  return (
    <Alert variant="danger" isInline title="This stage cannot be shown" role="alert">
      <p>The flow sent a stage of type <code>{component || '(none)'}</code>, which this interface does not support.</p>
    </Alert>
  );
}
