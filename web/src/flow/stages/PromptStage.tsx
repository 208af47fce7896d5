import { useState, type FormEvent } from 'react';
import { ActionGroup, Button, Checkbox, Divider, Form, FormGroup, FormHelperText, FormSelect, FormSelectOption, HelperText, HelperTextItem, Radio, TextArea, TextInput } from '@patternfly/react-core';
import type { Schemas } from '../../api/client';
import type { StageProps } from '../types';
import { FieldErrors, GeneralErrors, hasErrors } from './common';
import { PasswordInput } from './PasswordInput';

type Prompt = Schemas['PromptChallenge'];
type Field = Schemas['StagePrompt'];
type Value = string | boolean;

/** Locales authentik's UI offers for the `ak-locale` field. */
const LOCALES: [string, string][] = [
  ['', 'Auto-detect (based on your browser)'], ['en', 'English'], ['de', 'German'], ['es', 'Spanish'], ['fr', 'French'],
  ['it', 'Italian'], ['ko', 'Korean'], ['nl', 'Dutch'], ['pl', 'Polish'], ['pt', 'Portuguese'], ['ru', 'Russian'],
  ['tr', 'Turkish'], ['zh-Hans', 'Chinese (simplified)'], ['zh-Hant', 'Chinese (traditional)'],
];

const INPUT_TYPES: Partial<Record<Field['type'], 'text' | 'email' | 'number' | 'date' | 'datetime-local'>> = {
  text: 'text', text_read_only: 'text', username: 'text', email: 'email', number: 'number', date: 'date', 'date-time': 'datetime-local',
};

const AUTOCOMPLETE: Partial<Record<Field['type'], string>> = { username: 'username', email: 'email', password: 'new-password' };

function initialValue(field: Field): Value {
  if (field.type === 'checkbox') return ['true', 'True', '1'].includes(field.initial_value);
  return field.initial_value ?? '';
}

function readFile(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

interface FieldProps {
  field: Field;
  value: Value;
  setValue(value: Value): void;
  invalid: boolean;
  autoFocus: boolean;
}

function PromptInput({ field, value, setValue, invalid, autoFocus }: FieldProps) {
  const id = `ak-prompt-${field.field_key}`;
  const common = { id, name: field.field_key, isRequired: field.required, 'aria-describedby': `${id}-errors`, autoFocus };
  const validated = invalid ? 'error' : 'default';
  switch (field.type) {
    case 'text_area':
    case 'text_area_read_only':
      return <TextArea {...common} value={String(value)} onChange={(_e, v) => setValue(v)} readOnlyVariant={field.type === 'text_area_read_only' ? 'default' : undefined} placeholder={field.placeholder} validated={validated} autoResize />;
    case 'password':
      return <PasswordInput id={id} name={field.field_key} value={String(value)} onChange={setValue} autoComplete="new-password" invalid={invalid} required={field.required} placeholder={field.placeholder} autoFocus={autoFocus} describedBy={`${id}-errors`} />;
    case 'checkbox':
      return <Checkbox id={id} name={field.field_key} label={field.label} isChecked={Boolean(value)} onChange={(_e, checked) => setValue(checked)} isRequired={field.required} aria-describedby={`${id}-errors`} autoFocus={autoFocus} />;
    case 'radio-button-group':
      return (
        <div role="radiogroup" aria-labelledby={`${id}-label`}>
          {(field.choices ?? []).map((choice, index) => (
            <Radio key={choice} id={`${id}-${index}`} name={field.field_key} label={choice} value={choice} isChecked={value === choice} onChange={() => setValue(choice)} autoFocus={autoFocus && index === 0} />
          ))}
        </div>
      );
    case 'dropdown':
      return (
        <FormSelect {...common} value={String(value)} onChange={(_e, v) => setValue(v)} validated={validated}>
          {!field.required || !value ? <FormSelectOption value="" label={field.placeholder || '---------'} /> : null}
          {(field.choices ?? []).map((choice) => <FormSelectOption key={choice} value={choice} label={choice} />)}
        </FormSelect>
      );
    case 'ak-locale':
      return (
        <FormSelect {...common} value={String(value)} onChange={(_e, v) => setValue(v)} validated={validated}>
          {LOCALES.map(([code, label]) => <FormSelectOption key={code} value={code} label={label} />)}
        </FormSelect>
      );
    case 'file':
      return (
        <input
          id={id} name={field.field_key} type="file" className="pf-v6-c-form-control ak-file-input" required={field.required} aria-describedby={`${id}-errors`}
          onChange={async (event) => { const file = event.target.files?.[0]; setValue(file ? await readFile(file) : ''); }}
        />
      );
    default:
      return (
        <TextInput
          {...common} type={INPUT_TYPES[field.type] ?? 'text'} value={String(value)} onChange={(_e, v) => setValue(v)}
          readOnlyVariant={field.type === 'text_read_only' ? 'default' : undefined} placeholder={field.placeholder}
          autoComplete={AUTOCOMPLETE[field.type] ?? 'off'} validated={validated}
        />
      );
  }
}

export function PromptStage({ challenge, submit, busy }: StageProps<Prompt>) {
  const fields = [...challenge.fields].sort((a, b) => a.order - b.order);
  const [values, setValues] = useState<Record<string, Value>>(() => Object.fromEntries(fields.map((f) => [f.field_key, initialValue(f)])));
  const errors = challenge.response_errors;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const payload: Record<string, unknown> = {};
    for (const field of fields) {
      if (['separator', 'static'].includes(field.type)) continue;
      payload[field.field_key] = values[field.field_key];
    }
    void submit(payload);
  };
  const firstInput = fields.find((f) => !['separator', 'static', 'hidden', 'text_read_only', 'text_area_read_only'].includes(f.type));
  return (
    <Form onSubmit={onSubmit} noValidate>
      <GeneralErrors errors={errors} shown={fields.map((f) => f.field_key)} />
      {fields.map((field) => {
        const id = `ak-prompt-${field.field_key}`;
        if (field.type === 'separator') {
          return <div key={field.field_key} className="ak-prompt-separator"><Divider />{field.label ? <span>{field.label}</span> : null}</div>;
        }
        if (field.type === 'static') {
          // Static prompts hold HTML written by the administrator, rendered as authentik does.
          return <div key={field.field_key} className="ak-prompt-static" dangerouslySetInnerHTML={{ __html: field.initial_value }} />;
        }
        if (field.type === 'hidden') {
          return <input key={field.field_key} type="hidden" name={field.field_key} value={String(values[field.field_key])} />;
        }
        const input = (
          <PromptInput
            field={field} value={values[field.field_key]} invalid={hasErrors(errors, field.field_key)} autoFocus={field === firstInput}
            setValue={(value) => setValues((old) => ({ ...old, [field.field_key]: value }))}
          />
        );
        return (
          <FormGroup
            key={field.field_key} fieldId={field.type === 'radio-button-group' ? undefined : id} isRequired={field.required}
            label={field.type === 'checkbox' ? undefined : <span id={`${id}-label`}>{field.label}</span>}
            role={field.type === 'radio-button-group' ? 'group' : undefined}
          >
            {input}
            {field.sub_text ? (
              <FormHelperText><HelperText><HelperTextItem>{field.sub_text}</HelperTextItem></HelperText></FormHelperText>
            ) : null}
            <FieldErrors errors={errors} field={field.field_key} id={`${id}-errors`} />
          </FormGroup>
        );
      })}
      <ActionGroup>
        <Button type="submit" variant="primary" isBlock isLoading={busy} isDisabled={busy}>Continue</Button>
      </ActionGroup>
    </Form>
  );
}
