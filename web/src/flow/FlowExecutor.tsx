import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Spinner, Title } from '@patternfly/react-core';
import { api, ApiError } from '../api/client';
import { applyBranding, useTenant } from '../common/tenant';
import type { Challenge, StageProps } from './types';
import { IdentificationStage } from './stages/IdentificationStage';
import { PasswordStage } from './stages/PasswordStage';
import { PromptStage } from './stages/PromptStage';
import { AuthenticatorStaticStage, AuthenticatorTotpStage, AuthenticatorValidateStage, AuthenticatorWebAuthnStage } from './stages/AuthenticatorStages';
import {
  AccessDeniedStage, AutosubmitStage, ConsentStage, DummyStage, EmailStage, FlowErrorStage, RedirectStage, ShellStage,
  UnknownStage, UserLoginStage,
} from './stages/SimpleStages';

// Each stage component takes the challenge of its own component name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const STAGES: Record<string, (props: StageProps<any>) => ReactNode> = {
  'ak-stage-identification': IdentificationStage,
  'ak-stage-password': PasswordStage,
  'ak-stage-prompt': PromptStage,
  'ak-stage-consent': ConsentStage,
  'ak-stage-email': EmailStage,
  'ak-stage-autosubmit': AutosubmitStage,
  'ak-stage-dummy': DummyStage,
  'ak-stage-user-login': UserLoginStage,
  'ak-stage-authenticator-totp': AuthenticatorTotpStage,
  'ak-stage-authenticator-static': AuthenticatorStaticStage,
  'ak-stage-authenticator-validate': AuthenticatorValidateStage,
  'ak-stage-authenticator-webauthn': AuthenticatorWebAuthnStage,
  'ak-stage-access-denied': AccessDeniedStage,
  'ak-stage-flow-error': FlowErrorStage,
  'xak-flow-redirect': RedirectStage,
  'xak-flow-shell': ShellStage,
};

function failure(error: unknown): Challenge {
  const message = error instanceof ApiError ? error.message : error instanceof Error ? `${error.message}` : String(error);
  return { component: 'ak-stage-flow-error', type: 'native', request_id: '', error: message } as Challenge;
}

/** The executor endpoint of a flow, carrying this page's query string as authentik's executor expects. */
function executorPath(slug: string): string {
  return `/flows/executor/${encodeURIComponent(slug)}/?query=${encodeURIComponent(window.location.search.slice(1))}`;
}

/**
 * Runs a flow through `/api/v3/flows/executor/<slug>/`: fetches the pending challenge, renders its stage, posts
 * the stage's response and shows whatever challenge comes back, until a redirect leaves the page.
 */
export function FlowExecutor({ slug, embedded = false }: { slug: string; embedded?: boolean }) {
  const tenant = useTenant();
  const [challenge, setChallenge] = useState<Challenge>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<Challenge>('GET', executorPath(slug)).then(setChallenge, (error) => setChallenge(failure(error)));
  }, [slug]);

  useEffect(() => {
    if (!embedded) applyBranding(tenant, challenge?.flow_info?.title);
  }, [tenant, challenge, embedded]);

  const submit = useCallback(async (payload: Record<string, unknown>) => {
    if (!challenge) return;
    setBusy(true);
    try {
      setChallenge(await api<Challenge>('POST', executorPath(slug), { body: { component: challenge.component, ...payload } }));
    } catch (error) {
      setChallenge(failure(error));
    } finally {
      setBusy(false);
    }
  }, [challenge, slug]);

  const info = challenge?.flow_info;
  const layout = info?.layout ?? 'stacked';
  const Stage = challenge ? STAGES[challenge.component ?? ''] : undefined;
  const background = info?.background;

  const content = challenge ? (
    <>
      {info?.title ? <Title headingLevel={embedded ? 'h2' : 'h1'} size={embedded ? 'lg' : '2xl'} className="ak-flow-title">{info.title}</Title> : null}
      {Stage ? <Stage challenge={challenge} submit={submit} busy={busy} /> : <UnknownStage component={challenge.component ?? ''} />}
    </>
  ) : (
    <div className="ak-flow-center"><Spinner size="xl" aria-label="Loading" /></div>
  );
  // Inside another page (user settings): the stage alone, without the flow page around it.
  if (embedded) return <div className="ak-flow-embedded" aria-busy={!challenge || busy}>{content}</div>;

  return (
    <div className={`ak-flow ak-flow-layout-${layout}`} style={background ? { backgroundImage: `url("${background.replace(/["\\]/g, '')}"), var(--ak-flow-bg)` } : undefined}>
      <div className="ak-flow-brand">
        <img src={tenant.branding_logo} alt={tenant.branding_title || 'authentik'} />
      </div>
      <main className="ak-flow-card" aria-busy={!challenge || busy}>{content}</main>
      <footer className="ak-flow-footer">
        <ul>
          {tenant.ui_footer_links.map((link) => <li key={link.href}><a href={link.href}>{link.name}</a></li>)}
          <li><span>Powered by authentik</span></li>
        </ul>
      </footer>
    </div>
  );
}
