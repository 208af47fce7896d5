import { eq } from 'drizzle-orm';
import type { Json } from '../api/model.js';
import { models } from '../api/registry.js';
import { hashPassword, verifyPassword } from '../core/passwords.js';
import { users } from '../core/table.js';
import type { Db } from '../db/database.js';
import { EntryValidationError, type BlueprintProblem } from './errors.js';
import type { EntryAction, MetaApplier } from './importer.js';
import { allOf, firstRow, LookupError } from './query.js';
import { isMapping } from './tags.js';

/**
 * Meta models: entries that trigger an action instead of describing an object (authentik's
 * `authentik_blueprints.meta*`). Each validates its attrs as its serializer would and then acts.
 */
export const META_APPLY_BLUEPRINT = 'authentik_blueprints.metaapplyblueprint';
export const META_USER_SET_PASSWORD = 'authentik_blueprints.metausersetpassword';

export interface MetaInput {
  attrs: Json;
  tx: Db;
  where: Omit<BlueprintProblem, 'message' | 'path'>;
  meta?: MetaApplier;
}

export interface MetaOutcome {
  action: EntryAction;
  detail?: string;
  warnings?: string[];
}

function describeNested(problem: BlueprintProblem): string {
  const where = [problem.entry !== undefined ? `entry ${problem.entry}` : '', problem.path ?? ''].filter(Boolean).join(' ');
  return where ? `${where}: ${problem.message}` : problem.message;
}

/** Applies another blueprint instance (by `identifiers`) inside this blueprint's transaction. */
async function applyBlueprintMeta({ attrs, tx, where, meta }: MetaInput): Promise<MetaOutcome> {
  const problems: BlueprintProblem[] = [];
  if (!isMapping(attrs.identifiers)) {
    problems.push({ ...where, path: 'attrs.identifiers', message: attrs.identifiers === undefined ? 'This field is required.' : 'Expected a dictionary of items.' });
  }
  if (attrs.required !== undefined && typeof attrs.required !== 'boolean') problems.push({ ...where, path: 'attrs.required', message: 'Must be a valid boolean.' });
  if (problems.length) throw new EntryValidationError(problems);
  const applied = await meta?.apply(attrs.identifiers as Json, tx);
  if (!applied) {
    if (attrs.required !== false) throw new EntryValidationError([{ ...where, path: 'attrs.identifiers', message: 'Required blueprint does not exist' }]);
    return { action: 'skipped', detail: 'blueprint does not exist, not required' };
  }
  // As authentik's `apply_blueprint` called from the meta serializer: the other blueprint's failure is recorded
  // on its own instance (status error) and does not fail this one.
  if (!applied.result.ok) {
    return {
      action: 'skipped',
      detail: `blueprint "${applied.name}" failed`,
      warnings: applied.result.problems.map((p) => `entry ${where.entry}: blueprint "${applied.name}" failed: ${describeNested(p)}`),
    };
  }
  return { action: 'applied', detail: applied.name, warnings: applied.result.warnings };
}

/** Sets (or makes unusable) the password of the user matching `user_identifiers`. */
async function setPasswordMeta({ attrs, tx, where }: MetaInput): Promise<MetaOutcome> {
  const problems: BlueprintProblem[] = [];
  if (!isMapping(attrs.user_identifiers)) problems.push({ ...where, path: 'attrs.user_identifiers', message: 'This field must be a dictionary.' });
  if (typeof attrs.raw_password !== 'string' || attrs.raw_password === '') {
    problems.push({ ...where, path: 'attrs.raw_password', message: attrs.raw_password === undefined ? 'This field is required.' : 'This field may not be blank.' });
  }
  if (attrs.set_unusable !== undefined && typeof attrs.set_unusable !== 'boolean') problems.push({ ...where, path: 'attrs.set_unusable', message: 'Must be a valid boolean.' });
  if (problems.length) throw new EntryValidationError(problems);
  const userModel = models.get('authentik_core.user')!;
  let user: Json | undefined;
  try {
    user = await firstRow(tx, userModel, allOf(userModel, Object.entries(attrs.user_identifiers as Json)));
  } catch (err) {
    if (err instanceof LookupError) throw new EntryValidationError([{ ...where, path: 'attrs.user_identifiers', message: err.message }]);
    throw err;
  }
  if (!user) throw new EntryValidationError([{ ...where, path: 'attrs', message: 'User does not exist' }]);
  const current = String(user.password ?? '');
  let password: string;
  if (attrs.set_unusable === true) password = '';
  else if (await verifyPassword(attrs.raw_password as string, current)) return { action: 'unchanged', detail: String(user.username) };
  else password = await hashPassword(attrs.raw_password as string);
  if (password === current) return { action: 'unchanged', detail: String(user.username) };
  await tx.update(users).set({ password, passwordChangeDate: new Date() }).where(eq(users.id, Number(user.id)));
  return { action: 'updated', detail: String(user.username) };
}

export const META_MODELS: Record<string, (input: MetaInput) => Promise<MetaOutcome>> = {
  [META_APPLY_BLUEPRINT]: applyBlueprintMeta,
  [META_USER_SET_PASSWORD]: setPasswordMeta,
};
