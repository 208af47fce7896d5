import { loadSchemaDocument } from '../api/contract/document.js';
import { models } from '../api/registry.js';

export interface App {
  name: string;
  label: string;
}

/** Apps this server always has although they own no model: the admin endpoints and the API itself. */
const MODELLESS_APPS = ['authentik.admin', 'authentik.api'];

/** An enum's values and labels as drf-spectacular writes them in its description: "* `value` - Label" lines. */
function enumChoices(schemaName: string): App[] {
  const schema = loadSchemaDocument().components.schemas[schemaName] as { enum: string[]; description: string };
  const labels = new Map<string, string>();
  for (const match of schema.description.matchAll(/^\* `([^`]+)` - (.*)$/gm)) labels.set(match[1], match[2]);
  return schema.enum.map((name) => ({ name, label: labels.get(name) ?? name }));
}

let appChoices: App[] | undefined;
let modelOrder: Map<string, number> | undefined;

/** Django's app label of a dotted app name: `authentik.policies.event_matcher` → `authentik_policies_event_matcher`. */
function appLabel(name: string): string {
  return name.replaceAll('.', '_');
}

/**
 * The installed authentik apps, by name, with authentik's verbose names: those owning a registered model, and
 * the ones every server has. Names and labels come from the schema's `AppEnum`.
 */
export function installedApps(): App[] {
  appChoices ??= enumChoices('AppEnum');
  const labels = new Set(models.all().map((model) => model.name.split('.')[0]));
  return appChoices
    .filter((app) => MODELLESS_APPS.includes(app.name) || labels.has(appLabel(app.name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The installed models blueprints and event matchers may name (`authentik_core.user` → "User"), in authentik's
 * order (its `ModelEnum`, which also leaves out the models it keeps internal).
 */
export function installedModels(): App[] {
  modelOrder ??= new Map(enumChoices('ModelEnum').map((choice, index) => [choice.name, index]));
  const order = modelOrder;
  return models.all()
    .filter((model) => order.has(model.name))
    .sort((a, b) => order.get(a.name)! - order.get(b.name)!)
    .map((model) => ({ name: model.name, label: model.verboseName }));
}
