import { boolean, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { policies } from '../table.js';

export const passwordPolicies = pgTable('authentik_policies_password_passwordpolicy', {
  policyPtrId: uuid('policy_ptr_id').primaryKey().references(() => policies.policyUuid, { onDelete: 'cascade' }),
  passwordField: text('password_field').notNull().default('password'),
  checkStaticRules: boolean('check_static_rules').notNull().default(true),
  checkHaveIBeenPwned: boolean('check_have_i_been_pwned').notNull().default(false),
  checkZxcvbn: boolean('check_zxcvbn').notNull().default(false),
  amountDigits: integer('amount_digits').notNull().default(0),
  amountUppercase: integer('amount_uppercase').notNull().default(0),
  amountLowercase: integer('amount_lowercase').notNull().default(0),
  amountSymbols: integer('amount_symbols').notNull().default(0),
  lengthMin: integer('length_min').notNull().default(0),
  symbolCharset: text('symbol_charset').notNull().default('!\\"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ '),
  errorMessage: text('error_message').notNull().default(''),
  hibpAllowedCount: integer('hibp_allowed_count').notNull().default(0),
  zxcvbnScoreThreshold: integer('zxcvbn_score_threshold').notNull().default(2),
});
