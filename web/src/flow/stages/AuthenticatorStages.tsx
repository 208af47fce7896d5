import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ActionGroup, Alert, Button, ClipboardCopy, CodeBlock, CodeBlockCode, Form, FormGroup, TextInput } from '@patternfly/react-core';
import QRCode from 'qrcode';
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { Schemas } from '../../api/client';
import type { StageProps } from '../types';
import { FieldErrors, GeneralErrors, hasErrors, PendingUser } from './common';

/** A one-time code field: digits from an authenticator app or a backup code, filled in by the OS where it can. */
function CodeField({ value, onChange, invalid }: { value: string; onChange(value: string): void; invalid: boolean }) {
  return (
    <TextInput
      id="ak-code" name="code" value={value} onChange={(_event, next) => onChange(next.trim())}
      inputMode="numeric" autoComplete="one-time-code" autoFocus isRequired validated={invalid ? 'error' : 'default'}
      aria-describedby="ak-code-errors"
    />
  );
}

/** The otpauth:// URI as a QR code for a phone to scan, and its secret for typing in by hand. */
function TotpEnrolment({ configUrl }: { configUrl: string }) {
  const [svg, setSvg] = useState<string>();
  useEffect(() => {
    QRCode.toString(configUrl, { type: 'svg', margin: 1 }).then(setSvg, () => setSvg(undefined));
  }, [configUrl]);
  const secret = new URL(configUrl).searchParams.get('secret') ?? '';
  return (
    <>
      {svg ? <div className="ak-totp-qr" role="img" aria-label="QR code to scan with an authenticator app" dangerouslySetInnerHTML={{ __html: svg }} /> : null}
      <p>Scan this code with your authenticator app, or enter the key by hand:</p>
      <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" textAriaLabel="Setup key">{secret}</ClipboardCopy>
    </>
  );
}

type Totp = Schemas['AuthenticatorTOTPChallenge'];

export function AuthenticatorTotpStage({ challenge, submit, busy }: StageProps<Totp>) {
  const [code, setCode] = useState('');
  const errors = challenge.response_errors;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit({ code: Number(code) });
  };
  return (
    <Form onSubmit={onSubmit} noValidate>
      <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} cancelUrl={challenge.flow_info?.cancel_url} />
      <TotpEnrolment configUrl={challenge.config_url} />
      <GeneralErrors errors={errors} shown={['code']} />
      <FormGroup label="Code from the app" isRequired fieldId="ak-code">
        <CodeField value={code} onChange={setCode} invalid={hasErrors(errors, 'code')} />
        <FieldErrors errors={errors} field="code" id="ak-code-errors" />
      </FormGroup>
      <ActionGroup>
        <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy || !/^\d+$/.test(code)}>Continue</Button>
      </ActionGroup>
    </Form>
  );
}

type Static = Schemas['AuthenticatorStaticChallenge'];

export function AuthenticatorStaticStage({ challenge, submit, busy }: StageProps<Static>) {
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit({});
  };
  return (
    <Form onSubmit={onSubmit}>
      <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} cancelUrl={challenge.flow_info?.cancel_url} />
      <GeneralErrors errors={challenge.response_errors} />
      <p>Keep these backup codes somewhere safe. Each works once, when your other devices are out of reach.</p>
      <CodeBlock aria-label="Backup codes"><CodeBlockCode>{challenge.codes.join('\n')}</CodeBlockCode></CodeBlock>
      <ActionGroup>
        <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy}>I have saved these codes</Button>
      </ActionGroup>
    </Form>
  );
}

/** What the browser said when a WebAuthn ceremony did not finish (the user cancelled, no authenticator, …). */
function ceremonyError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a WebAuthn ceremony once when shown (as authentik's UI does) and again when asked: the browser asks the
 * user for their authenticator, and the result is posted.
 */
function WebAuthnCeremony({ run, busy, errors, action }: { run(): Promise<void>; busy: boolean; errors: string[]; action: string }) {
  const [failure, setFailure] = useState<string>();
  const [waiting, setWaiting] = useState(false);
  const started = useRef(false);
  const start = async () => {
    setFailure(undefined);
    setWaiting(true);
    try {
      await run();
    } catch (error) {
      setFailure(ceremonyError(error));
    } finally {
      setWaiting(false);
    }
  };
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void start();
  });
  return (
    <>
      {waiting ? <p role="status">Waiting for your security key or passkey…</p> : null}
      {[...errors, ...(failure ? [failure] : [])].map((message) => (
        <Alert key={message} variant="danger" isInline isPlain title={message} />
      ))}
      <ActionGroup>
        <Button variant="primary" isBlock isLoading={busy || waiting} isDisabled={busy || waiting} onClick={() => void start()}>{action}</Button>
      </ActionGroup>
    </>
  );
}

type WebAuthn = Schemas['AuthenticatorWebAuthnChallenge'];

export function AuthenticatorWebAuthnStage({ challenge, submit, busy }: StageProps<WebAuthn>) {
  const errors = (challenge.response_errors?.response ?? []).map((e) => e.string);
  const register = async () => {
    const response = await startRegistration({ optionsJSON: challenge.registration as unknown as Parameters<typeof startRegistration>[0]['optionsJSON'] });
    await submit({ component: 'ak-stage-authenticator-webauthn', response });
  };
  return (
    <Form onSubmit={(event) => event.preventDefault()}>
      <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} cancelUrl={challenge.flow_info?.cancel_url} />
      <GeneralErrors errors={challenge.response_errors} shown={['response']} />
      <p>Register a passkey or security key: follow your browser&apos;s prompt.</p>
      <WebAuthnCeremony run={register} busy={busy} errors={errors} action="Register a security key" />
    </Form>
  );
}

type Validation = Schemas['AuthenticatorValidationChallenge'];
type DeviceChallenge = Schemas['DeviceChallenge'];

const DEVICE_LABELS: Record<string, [string, string]> = {
  totp: ['Authenticator app', 'A code from the app on your phone.'],
  static: ['Backup code', 'One of the codes you saved when you set up MFA.'],
  sms: ['Text message', 'A code sent to your phone.'],
  webauthn: ['Security key', 'A passkey or security key.'],
  duo: ['Duo', 'A push notification to the Duo app.'],
};
const CODE_CLASSES = new Set(['totp', 'static', 'sms']);
const USABLE_CLASSES = new Set([...CODE_CLASSES, 'webauthn']);

export function AuthenticatorValidateStage({ challenge, submit, busy }: StageProps<Validation>) {
  const usableChallenges = challenge.device_challenges.filter((d) => USABLE_CLASSES.has(d.device_class));
  const [selected, setSelected] = useState<DeviceChallenge | undefined>(usableChallenges.length === 1 ? usableChallenges[0] : undefined);
  const [code, setCode] = useState('');
  const errors = challenge.response_errors;
  const header = <PendingUser user={challenge.pending_user} avatar={challenge.pending_user_avatar} cancelUrl={challenge.flow_info?.cancel_url} />;

  if (!challenge.device_challenges.length && challenge.configuration_stages.length) {
    // No device yet and the stage offers to set one up: the user picks how.
    return (
      <Form onSubmit={(event) => event.preventDefault()}>
        {header}
        <GeneralErrors errors={errors} />
        <p>Set up a second factor to continue:</p>
        {challenge.configuration_stages.map((stage) => (
          <Button key={stage.pk} variant="secondary" isBlock isDisabled={busy} onClick={() => void submit({ selected_stage: stage.pk })}>
            {stage.name} ({stage.verbose_name})
          </Button>
        ))}
      </Form>
    );
  }

  if (!selected) {
    return (
      <Form onSubmit={(event) => event.preventDefault()}>
        {header}
        <GeneralErrors errors={errors} />
        <p>Choose how to confirm it is you:</p>
        {challenge.device_challenges.map((device) => {
          const [label, help] = DEVICE_LABELS[device.device_class] ?? [device.device_class, ''];
          const usable = USABLE_CLASSES.has(device.device_class);
          return (
            <Button key={`${device.device_class}-${device.device_uid}`} variant="secondary" isBlock isDisabled={busy || !usable} onClick={() => setSelected(device)}>
              {label}{help ? <span className="ak-muted"> · {help}</span> : null}
            </Button>
          );
        })}
      </Form>
    );
  }

  const another = challenge.device_challenges.length > 1 ? (
    <Button variant="link" isInline onClick={() => { setSelected(undefined); setCode(''); }}>Use another method</Button>
  ) : null;

  if (selected.device_class === 'webauthn') {
    // Each showing of the stage carries fresh options (a refused answer spends its challenge).
    const current = challenge.device_challenges.find((d) => d.device_class === 'webauthn') ?? selected;
    const authenticate = async () => {
      const webauthn = await startAuthentication({ optionsJSON: current.challenge as unknown as Parameters<typeof startAuthentication>[0]['optionsJSON'] });
      await submit({ webauthn });
    };
    return (
      <Form onSubmit={(event) => event.preventDefault()}>
        {header}
        <GeneralErrors errors={errors} shown={['webauthn']} />
        <p>Confirm it is you with your passkey or security key.</p>
        <WebAuthnCeremony run={authenticate} busy={busy} errors={(errors?.webauthn ?? []).map((e) => e.string)} action="Use a security key" />
        {another}
      </Form>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit({ code });
  };
  const [label] = DEVICE_LABELS[selected.device_class] ?? [selected.device_class];
  return (
    <Form onSubmit={onSubmit} noValidate>
      {header}
      <GeneralErrors errors={errors} shown={['code']} />
      <FormGroup label={`${label} code`} isRequired fieldId="ak-code">
        <CodeField value={code} onChange={setCode} invalid={hasErrors(errors, 'code')} />
        <FieldErrors errors={errors} field="code" id="ak-code-errors" />
      </FormGroup>
      <ActionGroup>
        <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy || !code}>Continue</Button>
        {another}
      </ActionGroup>
    </Form>
  );
}
