import { randomInt } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { users } from '../../core/table.js';
import { result, type PolicyType } from '../types.js';
import { passwordExpiryPolicies } from './table.js';

export type PasswordExpiryPolicyRow = typeof passwordExpiryPolicies.$inferSelect;

const DAY = 86400_000;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Django's unusable password: `!` and 40 random characters, which no hash check accepts. */
export function unusablePassword(): string {
  let out = '!';
  for (let i = 0; i < 40; i += 1) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * Fails when the user's password is `days` old or older. Unless `deny_only`, it also makes the password unusable,
 * so that the user has to set a new one (through recovery).
 */
export const passwordExpiryPolicyType: PolicyType<PasswordExpiryPolicyRow> = {
  modelName: 'authentik_policies_expiry.passwordexpirypolicy',
  component: 'ak-policy-password-expiry-form',
  verboseName: 'Password Expiry Policy',
  verboseNamePlural: 'Password Expiry Policies',
  description: 'If password change date is more than x days in the past, call set_unusable_password and show a notice',
  async load(services, ids) {
    const rows = await services.db.select().from(passwordExpiryPolicies).where(inArray(passwordExpiryPolicies.policyPtrId, ids));
    return new Map(rows.map((row) => [row.policyPtrId, row]));
  },
  async passes(row, request, execution) {
    const user = request.user;
    if (!user) return result(false);
    const changed = new Date(user.passwordChangeDate).getTime();
    const now = Date.now();
    const actualDays = Math.floor((now - changed) / DAY);
    const daysSinceExpiry = Math.floor((now - (changed + row.days * DAY)) / DAY);
    if (actualDays < row.days) return result(true);
    if (row.denyOnly) return result(false, 'Password has expired.');
    await execution.services.db.update(users).set({ password: unusablePassword() }).where(eq(users.id, user.id));
    execution.log('Password expired, set unusable', { user: user.username, days: actualDays }, 'info');
    return result(false, `Password expired ${daysSinceExpiry} days ago. Please update your password.`);
  },
};
