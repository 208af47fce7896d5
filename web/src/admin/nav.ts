/** The admin sidebar, grouped as authentik's is; every other collection is under "All models". */
export const NAV: { title: string; items: [string, string][] }[] = [
  { title: 'Dashboards', items: [['Overview', '/administration/overview'], ['System Tasks', '/administration/system-tasks']] },
  { title: 'Applications', items: [['Applications', '/core/applications/'], ['Providers', '/providers/all/'], ['Outposts', '/outposts/instances/']] },
  { title: 'Events', items: [['Logs', '/events/events/'], ['Notification Rules', '/events/rules/'], ['Notification Transports', '/events/transports/']] },
  { title: 'Customisation', items: [['Policies', '/policies/all/'], ['Property Mappings', '/propertymappings/all/'], ['Blueprints', '/managed/blueprints/'], ['Reputation scores', '/policies/reputation/scores/']] },
  { title: 'Flows and Stages', items: [['Flows', '/flows/instances/'], ['Stages', '/stages/all/'], ['Prompts', '/stages/prompt/prompts/']] },
  { title: 'Directory', items: [['Users', '/core/users/'], ['Groups', '/core/groups/'], ['Roles', '/rbac/roles/'], ['Federation and Social login', '/sources/all/'], ['Tokens and App passwords', '/core/tokens/'], ['Invitations', '/stages/invitation/invitations/']] },
  { title: 'System', items: [['Tenants', '/core/tenants/'], ['Certificates', '/crypto/certificatekeypairs/'], ['Outpost Integrations', '/outposts/service_connections/all/'], ['All models', '/administration/models']] },
];
