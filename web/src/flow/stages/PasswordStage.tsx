import { useState, type FormEvent } from 'react';
import { ActionGroup, Button, Form, FormGroup } from '@patternfly/react-core';
import type { Schemas } from '../../api/client';
import type { StageProps } from '../types';
import { FieldErrors, GeneralErrors, hasErrors, PendingUser } from './common';
import { PasswordInput } from './PasswordInput';

type Password = Schemas['PasswordChallenge'];

export function PasswordStage({ challenge, submit, busy }: StageProps<Password>) {
  const [password, setPassword] = useState('');
  const errors = challenge.response_errors;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit({ password });
  };
  return (
    <Form onSubmit={onSubmit} noValidate>
      <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} cancelUrl={challenge.flow_info?.cancel_url} />
      {/* Password managers pair the password with this username. */}
      <input type="text" name="username" autoComplete="username" value={challenge.pending_user} readOnly hidden />
      <GeneralErrors errors={errors} shown={['password']} />
      <FormGroup label="Password" isRequired fieldId="ak-password">
        <PasswordInput id="ak-password" name="password" value={password} onChange={setPassword} autoComplete="current-password" invalid={hasErrors(errors, 'password')} autoFocus required describedBy="ak-password-errors" />
        <FieldErrors errors={errors} field="password" id="ak-password-errors" />
      </FormGroup>
      {challenge.recovery_url ? <a className="ak-flow-link" href={challenge.recovery_url}>Forgot password?</a> : null}
      <ActionGroup>
        <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy}>Continue</Button>
      </ActionGroup>
    </Form>
  );
}
