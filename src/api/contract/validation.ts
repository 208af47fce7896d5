import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { loadSchemaDocument } from './document.js';
import { ValidationError } from '../errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const SCHEMA_ID = 'authentik.yml';

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function getAjv(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, discriminator: false, validateFormats: true });
  addFormats(ajv);
  for (const name of ['double', 'float', 'int32', 'int64', 'binary', 'byte']) ajv.addFormat(name, true);
  // Django's EmailField is blank=True on users: authentik sends and accepts "" although the schema says `email`.
  const email = /^[^\s@]+@[^\s@]+$/;
  ajv.addFormat('email', (value: string) => value === '' || email.test(value));
  // Django's URL validators (authentik's DomainlessURLValidator): any scheme, a host, then anything without spaces;
  // "" is a blank field, which `minLength` refuses where the model does not allow it (`meta_launch_url` does).
  const url = /^[a-z0-9.+-]*:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i;
  ajv.addFormat('uri', (value: string) => value === '' || url.test(value));
  ajv.addSchema({ $id: SCHEMA_ID, components: withNullableNestedObjects(loadSchemaDocument().components) }, SCHEMA_ID);
  return ajv;
}

/**
 * Two things ajv cannot take from drf-spectacular as they are written:
 * - `nullable: true` beside `allOf: [$ref]` without a `type` (a nullable choice field such as an event matcher's
 *   `action`), which ajv refuses to compile: it becomes `anyOf: [the ref, null]`.
 * - a read-only nested serializer over an empty foreign key, which DRF renders as `null` (a binding's `group_obj`
 *   when it binds a policy, an application's `provider_obj` without a provider) although the schema declares a
 *   plain `allOf: [$ref]`: `null` is accepted there, and only there.
 * - a `oneOf` with a discriminator mapping, which ajv checks only when each member fixes the property: each member
 *   becomes the mapped schema plus the property's value.
 */
function withNullableNestedObjects(components: { schemas: Record<string, Record<string, unknown>> }) {
  const schemas: Record<string, Record<string, unknown>> = {};
  const isObject = (ref: unknown) => typeof ref === 'string' && components.schemas[ref.split('/').pop() ?? '']?.type === 'object';
  for (const [name, schema] of Object.entries(components.schemas)) {
    const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
    const discriminator = schema.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
    if (discriminator?.mapping && Array.isArray(schema.oneOf)) {
      // A polymorphic serializer (`ChallengeTypes`): its members' `component` is a plain string with a default, so
      // several would match; the discriminator's value picks the one member to check.
      const { propertyName, mapping } = discriminator;
      const { discriminator: _d, oneOf: _o, ...others } = schema;
      schemas[name] = {
        ...others,
        oneOf: Object.entries(mapping).map(([value, $ref]) => ({ allOf: [{ $ref }], properties: { [propertyName]: { const: value } }, required: [propertyName] })),
      };
      continue;
    }
    if (!properties) {
      schemas[name] = schema;
      continue;
    }
    const patched: Record<string, Record<string, unknown>> = {};
    for (const [key, property] of Object.entries(properties)) {
      const { allOf, nullable, ...rest } = property as { allOf?: { $ref?: string }[]; nullable?: boolean };
      const untypedNullable = nullable === true && allOf !== undefined && property.type === undefined;
      const nested = property.readOnly === true && !nullable && allOf?.length === 1 && isObject(allOf[0].$ref);
      patched[key] = untypedNullable || nested ? { ...rest, anyOf: [{ allOf }, { type: 'null' }] } : property;
    }
    schemas[name] = { ...schema, properties: patched };
  }
  return { ...components, schemas };
}

/** The validator for `#/components/schemas/<name>` of authentik's schema. */
export function schemaValidator(name: string): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    validate = getAjv().compile({ $ref: `${SCHEMA_ID}#/components/schemas/${name}` });
    validators.set(name, validate);
  }
  return validate;
}

const TYPE_MESSAGES: Record<string, string> = {
  string: 'Not a valid string.',
  integer: 'A valid integer is required.',
  number: 'A valid number is required.',
  boolean: 'Must be a valid boolean.',
  array: 'Expected a list of items but got type "{type}".',
  object: 'Expected a dictionary of items but got type "{type}".',
};

const FORMAT_MESSAGES: Record<string, string> = {
  email: 'Enter a valid email address.',
  uuid: 'Must be a valid UUID.',
  'date-time': 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  date: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
  uri: 'Enter a valid URL.',
};

function pythonType(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  return value === null ? 'NoneType' : 'dict';
}

/** DRF's message for one ajv error. */
function drfMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'This field is required.';
    case 'type':
      if (error.data === null) return 'This field may not be null.';
      return (TYPE_MESSAGES[String(params.type)] ?? 'Invalid value.').replace('{type}', pythonType(error.data));
    case 'minLength':
      return params.limit === 1 ? 'This field may not be blank.' : `Ensure this field has at least ${params.limit} characters.`;
    case 'maxLength':
      return `Ensure this field has no more than ${params.limit} characters.`;
    case 'pattern':
      return String(params.pattern) === '^[-a-zA-Z0-9_]+$'
        ? 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
        : 'This value does not match the required pattern.';
    case 'enum':
      return `"${String(error.data)}" is not a valid choice.`;
    case 'format':
      return FORMAT_MESSAGES[String(params.format)] ?? 'Invalid value.';
    case 'minimum':
      return `Ensure this value is greater than or equal to ${params.limit}.`;
    case 'maximum':
      return `Ensure this value is less than or equal to ${params.limit}.`;
    default:
      return error.message ?? 'Invalid value.';
  }
}

/** The top-level field an error belongs to: DRF reports list-item and nested errors under it. */
function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'required' && error.instancePath === '') return String((error.params as { missingProperty: string }).missingProperty);
  const first = error.instancePath.split('/')[1];
  return first === undefined || first === '' ? 'non_field_errors' : first.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Checks a request body against a request schema of authentik's (`UserRequest`, `PatchedUserRequest`…) and
 * throws DRF's 400 body naming every bad field. Unknown fields pass, as DRF ignores them.
 */
export function validateRequest(schemaName: string, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonType(body)}.`] });
  }
  const validate = schemaValidator(schemaName);
  if (validate(body)) return body as Record<string, unknown>;
  const fields: Record<string, string[]> = {};
  for (const error of validate.errors ?? []) {
    // anyOf/oneOf/if noise repeats what the concrete errors already say.
    if (['anyOf', 'oneOf', 'if', 'allOf'].includes(error.keyword)) continue;
    // The `null` branch of a nullable field failing says nothing the other branch does not.
    if (error.keyword === 'type' && (error.params as { type?: string }).type === 'null') continue;
    const field = fieldOf(error);
    const message = drfMessage(error);
    const list = (fields[field] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  throw new ValidationError(fields);
}
