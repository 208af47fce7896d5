import { definePolicyModel, type PolicyRow } from '../models.js';
import { policyTypeViewSet } from '../viewsets.js';
import { passwordPolicyType, type PasswordPolicyRow } from './policy.js';
import { passwordPolicies } from './table.js';

const columns = {
  password_field: passwordPolicies.passwordField,
  amount_digits: passwordPolicies.amountDigits,
  amount_uppercase: passwordPolicies.amountUppercase,
  amount_lowercase: passwordPolicies.amountLowercase,
  amount_symbols: passwordPolicies.amountSymbols,
  length_min: passwordPolicies.lengthMin,
  symbol_charset: passwordPolicies.symbolCharset,
  error_message: passwordPolicies.errorMessage,
  check_static_rules: passwordPolicies.checkStaticRules,
  check_have_i_been_pwned: passwordPolicies.checkHaveIBeenPwned,
  check_zxcvbn: passwordPolicies.checkZxcvbn,
  hibp_allowed_count: passwordPolicies.hibpAllowedCount,
  zxcvbn_score_threshold: passwordPolicies.zxcvbnScoreThreshold,
};

export const passwordPolicyModel = definePolicyModel<PasswordPolicyRow>({
  type: passwordPolicyType,
  table: passwordPolicies,
  link: passwordPolicies.policyPtrId,
  requestSchema: 'PasswordPolicyRequest',
  fields: Object.fromEntries(Object.entries(columns).map(([field, column]) => [field, { column }])),
  serialize: (row: PolicyRow & PasswordPolicyRow) => ({
    password_field: row.passwordField,
    amount_digits: row.amountDigits,
    amount_uppercase: row.amountUppercase,
    amount_lowercase: row.amountLowercase,
    amount_symbols: row.amountSymbols,
    length_min: row.lengthMin,
    symbol_charset: row.symbolCharset,
    error_message: row.errorMessage,
    check_static_rules: row.checkStaticRules,
    check_have_i_been_pwned: row.checkHaveIBeenPwned,
    check_zxcvbn: row.checkZxcvbn,
    hibp_allowed_count: row.hibpAllowedCount,
    zxcvbn_score_threshold: row.zxcvbnScoreThreshold,
  }),
});

export const passwordPolicyViewSet = policyTypeViewSet(passwordPolicyModel, '/policies/password/', columns);
