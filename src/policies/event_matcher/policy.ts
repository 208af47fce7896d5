import { inArray } from 'drizzle-orm';
import type { PolicyResult, PolicyType } from '../types.js';
import { eventMatcherPolicies } from './table.js';

export type EventMatcherPolicyRow = typeof eventMatcherPolicies.$inferSelect;

/** The event being matched, as a row of `src/events` (`clientIp`) or as the API renders it (`client_ip`). */
interface MatchedEvent {
  action?: string;
  app?: string;
  clientIp?: string | null;
  client_ip?: string | null;
  context?: Record<string, unknown>;
}

type Check = (row: EventMatcherPolicyRow, event: MatchedEvent) => PolicyResult | undefined;

const checks: [string, Check][] = [
  ['passes_action', (row, event) => (row.action === null ? undefined : { passing: row.action === event.action, messages: ['Action matched.'] })],
  ['passes_client_ip', (row, event) => (row.clientIp === null ? undefined
    : { passing: row.clientIp === (event.clientIp ?? event.client_ip ?? null), messages: ['Client IP matched.'] })],
  ['passes_app', (row, event) => (row.app === null ? undefined : { passing: row.app === event.app, messages: ['App matched.'] })],
  ['passes_model', (row, event) => {
    if (row.matchModel === null) return undefined;
    const model = (event.context?.model ?? {}) as Record<string, unknown>;
    return { passing: `${String(model.app)}.${String(model.model_name)}` === row.matchModel, messages: ['Model matched.'] };
  }],
];

/** Passes when the event in `context.event` has every set criterion (action, client IP, app, model). */
export const eventMatcherPolicyType: PolicyType<EventMatcherPolicyRow> = {
  modelName: 'authentik_policies_event_matcher.eventmatcherpolicy',
  component: 'ak-policy-event-matcher-form',
  verboseName: 'Event Matcher Policy',
  verboseNamePlural: 'Event Matcher Policies',
  description: 'Passes when Event matches selected criteria.',
  async load(services, ids) {
    const rows = await services.db.select().from(eventMatcherPolicies).where(inArray(eventMatcherPolicies.policyPtrId, ids));
    return new Map(rows.map((row) => [row.policyPtrId, row]));
  },
  passes(row, request, execution) {
    const event = request.context.event as MatchedEvent | undefined;
    if (!event || typeof event !== 'object') return { passing: false, messages: [] };
    const matches: PolicyResult[] = [];
    for (const [name, check] of checks) {
      const outcome = check(row, event);
      if (!outcome) continue;
      execution.log('Event matcher check result', { checker: name, passing: outcome.passing }, 'info');
      matches.push(outcome);
    }
    return { passing: matches.every((m) => m.passing), messages: matches.flatMap((m) => m.messages) };
  },
};
