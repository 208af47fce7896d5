import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Checkbox, Form, FormGroup, FormHelperText, FormSelect, FormSelectOption, HelperText, HelperTextItem, Switch, TextArea, TextInput } from '@patternfly/react-core';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ApiError } from '../../api/client';
import { CodeEditor } from '../../common/CodeEditor';
import { enumOptions, fieldLabel, helpText, resolve, schemaByName, type JsonSchema } from '../models';
import { referenceOf } from '../references';
import { ReferenceMultiPicker, ReferencePicker } from './ReferencePicker';

type Values = Record<string, unknown>;

/** How a request property is edited: decided from its schema alone (and its name for references and code). */
export type FieldKind =
  | 'reference' | 'references' | 'enum' | 'enums' | 'boolean' | 'number' | 'datetime' | 'python' | 'yaml'
  | 'lines' | 'textarea' | 'password' | 'text';

const LONG_TEXT = /(^|_)(uris|description|template|certificate_data|key_data|body|sub_text|message|text|acs_url|additional_scopes|metadata)$/;

export function fieldKind(key: string, raw: JsonSchema): FieldKind {
  const schema = resolve(raw);
  if (referenceOf(key, schema)) return schema.type === 'array' ? 'references' : 'reference';
  if (schema.enum) return 'enum';
  if (schema.type === 'array' && schema.items && resolve(schema.items).enum) return 'enums';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'string' && schema.format === 'date-time') return 'datetime';
  if (key === 'expression') return 'python';
  if (schema.type === 'object' || schema.additionalProperties || (!schema.type && !schema.format)) return 'yaml';
  if (schema.type === 'array') return resolve(schema.items ?? {}).type === 'object' ? 'yaml' : 'lines';
  if (key === 'password' || schema.format === 'password') return 'password';
  if (LONG_TEXT.test(key)) return 'textarea';
  return 'text';
}

/** The request properties a form shows, in the schema's order. */
export function editableFields(schemaName: string, exclude: string[] = []): [string, JsonSchema][] {
  const schema = schemaByName(schemaName);
  return Object.entries(schema.properties ?? {})
    .filter(([key, property]) => !property.readOnly && !exclude.includes(key) && resolve(property).format !== 'binary');
}

function toDateTimeLocal(value: unknown): string {
  if (typeof value !== 'string' || !value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** Text shown in the editor of a field, from its value. */
function textOf(kind: FieldKind, value: unknown): string {
  if (kind === 'yaml') return value === undefined || value === null ? '' : stringifyYaml(value).replace(/\n$/, '') === '{}' ? '{}' : stringifyYaml(value);
  if (kind === 'lines') return Array.isArray(value) ? value.join('\n') : '';
  if (kind === 'datetime') return toDateTimeLocal(value);
  if (value === undefined || value === null) return '';
  return String(value);
}

interface Props {
  id: string;
  schemaName: string;
  initial?: Values;
  /** Values set by the page (a binding's target) and not shown. */
  fixed?: Values;
  exclude?: string[];
  onSubmit(values: Values): Promise<void>;
  /** Extra content at the end of the form (its own buttons, usually in a modal footer via `form=`). */
  children?: ReactNode;
}

/**
 * A create/edit form generated from a request schema of the OpenAPI document: enums as selects, references
 * as searchable pickers, `attributes`-like objects in a YAML editor, expressions in a Python editor.
 */
export function SchemaForm({ id, schemaName, initial = {}, fixed = {}, exclude = [], onSubmit, children }: Props) {
  const schema = schemaByName(schemaName);
  const fields = useMemo(() => editableFields(schemaName, [...exclude, ...Object.keys(fixed)]), [schemaName, exclude, fixed]);
  const required = new Set(schema.required ?? []);
  const [values, setValues] = useState<Values>(() => {
    const start: Values = {};
    for (const [key, property] of fields) {
      const kind = fieldKind(key, property);
      const value = key in initial ? initial[key] : resolve(property).default;
      start[key] = ['yaml', 'lines', 'datetime', 'textarea', 'text', 'python', 'password', 'number'].includes(kind) ? textOf(kind, value) : value;
    }
    return start;
  });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [general, setGeneral] = useState<string>();
  const set = (key: string, value: unknown) => setValues((old) => ({ ...old, [key]: value }));

  function payload(): Values | undefined {
    const out: Values = { ...fixed };
    const problems: Record<string, string[]> = {};
    for (const [key, property] of fields) {
      const kind = fieldKind(key, property);
      const resolved = resolve(property);
      const value = values[key];
      const empty = value === '' || value === undefined || value === null;
      if (kind === 'password' && empty) continue;
      // An empty text on create leaves the field to the server's default (client IDs, token validities…).
      if (empty && ['text', 'textarea', 'lines', 'yaml'].includes(kind) && !(key in initial) && !required.has(key)) continue;
      if (empty && ['number', 'datetime', 'reference', 'enum'].includes(kind)) {
        if (resolved.nullable) out[key] = null;
        continue;
      }
      switch (kind) {
        case 'number': out[key] = Number(value); break;
        case 'datetime': out[key] = new Date(String(value)).toISOString(); break;
        case 'lines': out[key] = String(value).split('\n').map((l) => l.trim()).filter(Boolean); break;
        case 'yaml':
          try {
            out[key] = empty ? (resolved.type === 'array' ? [] : {}) : parseYaml(String(value));
          } catch (error) {
            problems[key] = [`Not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`];
          }
          break;
        default: out[key] = value;
      }
    }
    setErrors(problems);
    return Object.keys(problems).length ? undefined : out;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setGeneral(undefined);
    const body = payload();
    if (!body) return;
    try {
      await onSubmit(body);
    } catch (error) {
      if (error instanceof ApiError) {
        const fieldErrors = error.fieldErrors;
        const known = Object.fromEntries(Object.entries(fieldErrors).filter(([key]) => fields.some(([f]) => f === key)));
        setErrors(known);
        const rest = Object.entries(fieldErrors).filter(([key]) => !(key in known)).map(([key, list]) => (key === 'non_field_errors' ? list.join(' ') : `${fieldLabel(key)}: ${list.join(' ')}`));
        setGeneral(rest.length ? rest.join(' ') : Object.keys(known).length ? undefined : error.message);
      } else {
        setGeneral((error as Error).message);
      }
    }
  };

  return (
    <Form id={id} onSubmit={submit} noValidate>
      {general ? <Alert variant="danger" isInline title={general} role="alert" /> : null}
      {fields.map(([key, property], index) => (
        <Field
          key={key} formId={id} name={key} schema={property} kind={fieldKind(key, property)} value={values[key]} required={required.has(key)}
          errors={errors[key]} onChange={(v) => set(key, v)} autoFocus={index === 0}
        />
      ))}
      {children}
    </Form>
  );
}

interface FieldProps {
  formId: string;
  name: string;
  schema: JsonSchema;
  kind: FieldKind;
  value: unknown;
  required: boolean;
  errors?: string[];
  onChange(value: unknown): void;
  autoFocus: boolean;
}

function Field({ formId, name, schema, kind, value, required, errors, onChange, autoFocus }: FieldProps) {
  const id = `${formId}-field-${name}`;
  const label = fieldLabel(name);
  const resolved = resolve(schema);
  const help = helpText(schema);
  const invalid = Boolean(errors?.length);
  const validated = invalid ? 'error' : 'default';
  const describedBy = `${id}-help`;
  let control: ReactNode;
  switch (kind) {
    case 'reference':
      control = <ReferencePicker id={id} reference={referenceOf(name, resolved)!} value={value} onChange={onChange} nullable={Boolean(resolved.nullable) || !required} label={label} describedBy={describedBy} />;
      break;
    case 'references':
      control = <ReferenceMultiPicker id={id} reference={referenceOf(name, resolved)!} value={value} onChange={onChange} label={label} />;
      break;
    case 'enum': {
      const options = enumOptions(resolved);
      control = (
        <FormSelect id={id} value={value === undefined || value === null ? '' : String(value)} onChange={(_e, v) => onChange(v)} validated={validated} aria-describedby={describedBy} autoFocus={autoFocus}>
          {!required || resolved.nullable || value === undefined ? <FormSelectOption value="" label="---------" /> : null}
          {options.map((o) => <FormSelectOption key={o.value} value={o.value} label={o.label} />)}
        </FormSelect>
      );
      break;
    }
    case 'enums': {
      const selected = Array.isArray(value) ? value.map(String) : [];
      control = (
        <div role="group" aria-label={label} id={id}>
          {enumOptions(resolved.items ?? {}).map((o) => (
            <Checkbox
              key={o.value} id={`${id}-${o.value}`} label={o.label} isChecked={selected.includes(o.value)}
              onChange={(_e, on) => onChange(on ? [...selected, o.value] : selected.filter((s) => s !== o.value))}
            />
          ))}
        </div>
      );
      break;
    }
    case 'boolean':
      control = <Switch id={id} label={label} isChecked={Boolean(value)} onChange={(_e, on) => onChange(on)} aria-describedby={describedBy} autoFocus={autoFocus} />;
      break;
    case 'python':
    case 'yaml':
      control = <CodeEditor id={id} value={String(value ?? '')} onChange={onChange} language={kind} label={label} describedBy={describedBy} />;
      break;
    case 'lines':
    case 'textarea':
      control = <TextArea id={id} value={String(value ?? '')} onChange={(_e, v) => onChange(v)} validated={validated} aria-describedby={describedBy} autoResize resizeOrientation="vertical" autoFocus={autoFocus} />;
      break;
    default:
      control = (
        <TextInput
          id={id} value={String(value ?? '')} onChange={(_e, v) => onChange(v)} validated={validated} aria-describedby={describedBy} autoFocus={autoFocus}
          type={kind === 'number' ? 'number' : kind === 'datetime' ? 'datetime-local' : kind === 'password' ? 'password' : 'text'}
          autoComplete={kind === 'password' ? 'new-password' : 'off'} isRequired={required}
        />
      );
  }
  return (
    <FormGroup label={kind === 'boolean' ? undefined : label} isRequired={required && kind !== 'boolean'} fieldId={['references', 'enums'].includes(kind) ? undefined : id} role={['references', 'enums'].includes(kind) ? 'group' : undefined}>
      {control}
      {help || invalid ? (
        <FormHelperText>
          <HelperText id={describedBy}>
            {errors?.map((e, i) => <HelperTextItem key={i} variant="error">{e}</HelperTextItem>)}
            {help ? <HelperTextItem>{kind === 'lines' ? `${help} (one per line)` : help}</HelperTextItem> : kind === 'lines' ? <HelperTextItem>One per line.</HelperTextItem> : null}
          </HelperText>
        </FormHelperText>
      ) : null}
    </FormGroup>
  );
}
