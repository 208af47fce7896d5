import { useState, type FormEvent } from 'react';
import { ActionGroup, Button, Form, FormGroup, TextInput } from '@patternfly/react-core';
import type { Schemas } from '../../api/client';
import type { StageProps } from '../types';
import { FieldErrors, GeneralErrors, hasErrors } from './common';
import { PasswordInput } from './PasswordInput';

type Identification = Schemas['IdentificationChallenge'];

const FIELD_LABELS: Record<string, string> = { username: 'Username', email: 'Email', upn: 'UPN' };

/** The label authentik gives the user field for the configured identifiers ("Email or Username"). */
export function userFieldLabel(fields: string[]): string {
  if (!fields.length) return 'Username';
  return fields.map((f) => FIELD_LABELS[f] ?? f).join(' or ');
}

function SourceButton({ source }: { source: Schemas['LoginSource'] }) {
  const challenge = source.challenge;
  const target = challenge.component === 'xak-flow-redirect' ? (challenge as Schemas['RedirectChallenge']).to : undefined;
  return (
    <li>
      <Button
        variant="secondary" isBlock component={target ? 'a' : 'button'} href={target}
        isDisabled={!target} title={target ? undefined : `${source.name} needs a login method this interface does not offer`}
        icon={source.icon_url ? <img src={source.icon_url} alt="" className="ak-source-icon" /> : undefined}
      >
        {source.name}
      </Button>
    </li>
  );
}

export function IdentificationStage({ challenge, submit, busy }: StageProps<Identification>) {
  const [uid, setUid] = useState('');
  const [password, setPassword] = useState('');
  const fields = challenge.user_fields ?? [];
  const errors = challenge.response_errors;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit(challenge.password_fields ? { uid_field: uid, password } : { uid_field: uid });
  };
  const onlyEmail = fields.length === 1 && fields[0] === 'email';
  return (
    <>
      {challenge.application_pre ? <p className="ak-flow-lead">Login to continue to {challenge.application_pre}.</p> : null}
      {fields.length ? (
        <Form onSubmit={onSubmit} noValidate>
          <GeneralErrors errors={errors} shown={['uid_field', 'password']} />
          <FormGroup label={userFieldLabel(fields)} isRequired fieldId="ak-uid">
            <TextInput
              id="ak-uid" name="uidField" type={onlyEmail ? 'email' : 'text'} value={uid} onChange={(_e, v) => setUid(v)}
              autoComplete={onlyEmail ? 'email' : 'username'} autoFocus isRequired autoCapitalize="none" spellCheck={false}
              validated={hasErrors(errors, 'uid_field') ? 'error' : 'default'} aria-describedby="ak-uid-errors"
            />
            <FieldErrors errors={errors} field="uid_field" id="ak-uid-errors" />
          </FormGroup>
          {challenge.password_fields ? (
            <FormGroup label="Password" isRequired fieldId="ak-password">
              <PasswordInput id="ak-password" name="password" value={password} onChange={setPassword} autoComplete="current-password" invalid={hasErrors(errors, 'password')} required describedBy="ak-password-errors" />
              <FieldErrors errors={errors} field="password" id="ak-password-errors" />
            </FormGroup>
          ) : null}
          {challenge.recovery_url ? <a className="ak-flow-link" href={challenge.recovery_url}>Forgot username or password?</a> : null}
          <ActionGroup>
            <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy}>{challenge.primary_action}</Button>
          </ActionGroup>
        </Form>
      ) : (
        <GeneralErrors errors={errors} />
      )}
      {challenge.passwordless_url ? (
        <p className="ak-flow-alt"><a href={challenge.passwordless_url}>Use a security key</a></p>
      ) : null}
      {challenge.sources?.length ? (
        <ul className="ak-flow-sources" aria-label="Login with">
          {challenge.sources.map((source) => <SourceButton key={source.name} source={source} />)}
        </ul>
      ) : null}
      {challenge.enroll_url ? <p className="ak-flow-alt">Need an account? <a href={challenge.enroll_url}>Sign up.</a></p> : null}
    </>
  );
}
