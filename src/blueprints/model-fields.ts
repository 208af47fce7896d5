import type { BlueprintField } from '../api/model.js';
import { ValidationError } from '../api/errors.js';
import { hashPassword, looksLikeDjangoHash, verifyPassword } from '../core/passwords.js';

/**
 * Blueprint-only fields of core models (authentik's docs, "Models"), kept here so that blueprints honour them
 * whoever owns the model's definition; a model's own `blueprintFields` take precedence.
 */
export const coreBlueprintFields: Record<string, Record<string, BlueprintField>> = {
  'authentik_core.user': {
    password: {
      async columns(value, data, existing) {
        if ('password_hash' in data && data.password_hash !== null && value !== null) {
          throw ValidationError.field('password', 'Only one of password or password_hash can be set.');
        }
        if (value === null || value === undefined) return {};
        if (typeof value !== 'string') throw ValidationError.field('password', 'Not a valid string.');
        // Re-applying the same password keeps the stored hash, so that applying twice changes nothing.
        if (typeof existing?.password === 'string' && await verifyPassword(value, existing.password)) return {};
        return { password: await hashPassword(value), passwordChangeDate: new Date() };
      },
    },
    password_hash: {
      columns(value, data, existing) {
        if ('password' in data && data.password !== null && value !== null) {
          throw ValidationError.field('password_hash', 'Only one of password or password_hash can be set.');
        }
        if (value === null || value === undefined) return {};
        if (typeof value !== 'string' || !looksLikeDjangoHash(value)) {
          throw ValidationError.field('password_hash', 'Invalid password hash format. Must be a valid Django password hash.');
        }
        if (existing?.password === value) return {};
        return { password: value, passwordChangeDate: new Date() };
      },
    },
  },
  'authentik_core.application': {
    icon: {
      columns(value) {
        if (value !== null && typeof value !== 'string') throw ValidationError.field('icon', 'Not a valid string.');
        return { metaIcon: value };
      },
    },
  },
};
