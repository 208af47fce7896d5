import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { closeExpressionSandbox, warmExpressionSandbox } from '../../expressions/index.js';
import { FlowClient } from '../../flows/testing.js';
import { PROMPT_TYPES } from './fields.js';

describe('stages/prompt', () => {
  let t: TestApp;
  const client = () => new FlowClient(t.app, checkResponse);

  async function prompt(name: string, body: Record<string, unknown>): Promise<Record<string, any>> {
    const created = await t.api('POST', '/stages/prompt/prompts/', { body: { name, label: `Label ${name}`, field_key: name, ...body } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  }

  async function flowOf(slug: string, stages: [string, Record<string, unknown>][]) {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: slug, designation: 'enrollment' } });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const out: Record<string, any>[] = [];
    for (const [index, [path, body]] of stages.entries()) {
      const stage = await t.api('POST', `/stages/${path}/`, { body: { name: `${slug}-${index}`, ...body } });
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      const bound = await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order: index * 10 } });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
      out.push(stage.body);
    }
    return out;
  }

  before(async () => {
    const warming = warmExpressionSandbox();
    t = await startTestApp();
    await warming;
  });
  after(async () => {
    await closeExpressionSandbox();
    await t.close();
  });

  it('stores every prompt type of the schema, filters, searches and orders prompts, and lists their stages', async () => {
    const created = [];
    for (const [index, type] of PROMPT_TYPES.entries()) created.push(await prompt(`api-${type}`, { field_key: `z_${index}_${type}`, type, order: index, sub_text: `about ${type}` }));
    assert.equal(created.length, 18);
    const text = created[0];
    assert.equal(text.required, true);
    assert.equal(text.placeholder, '');
    assert.equal(text.initial_value, '');
    assert.equal(text.placeholder_expression, false);
    assert.deepEqual(text.promptstage_set, []);

    const unknown = await t.api('POST', '/stages/prompt/prompts/', { body: { name: 'bad-type', label: 'x', field_key: 'x', type: 'textarea' } });
    assert.equal(unknown.status, 400);
    assert.ok(unknown.body.type);
    const duplicate = await t.api('POST', '/stages/prompt/prompts/', { body: { name: 'api-text', label: 'x', field_key: 'x', type: 'text' } });
    assert.equal(duplicate.status, 400);
    assert.deepEqual(duplicate.body, { name: ['Prompt with this name already exists.'] });

    const byType = await t.api('GET', '/stages/prompt/prompts/?type=dropdown');
    assert.deepEqual(byType.body.results.map((p: { name: string }) => p.name), ['api-dropdown']);
    const searched = await t.api('GET', '/stages/prompt/prompts/?search=api-date');
    assert.deepEqual(searched.body.results.map((p: { name: string }) => p.name).sort(), ['api-date', 'api-date-time']);
    const ordered = await t.api('GET', '/stages/prompt/prompts/?ordering=-order&page_size=2');
    assert.deepEqual(ordered.body.results.map((p: { type: string }) => p.type), ['ak-locale', 'static']);

    const stage = await t.api('POST', '/stages/prompt/stages/', { body: { name: 'api-stage', fields: [created[0].pk, created[1].pk] } });
    assert.equal(stage.status, 201, JSON.stringify(stage.body));
    assert.equal(stage.body.component, 'ak-stage-prompt-form');
    assert.deepEqual(stage.body.validation_policies, []);
    const withStage = await t.api('GET', `/stages/prompt/prompts/${created[0].pk}/`);
    assert.deepEqual(withStage.body.promptstage_set.map((s: { name: string }) => s.name), ['api-stage']);
    const usedBy = await t.api('GET', `/stages/prompt/prompts/${created[0].pk}/used_by/`);
    assert.equal(usedBy.status, 200);
    assert.ok(usedBy.body.some((u: { model_name: string; name: string }) => u.model_name === 'promptstage'), JSON.stringify(usedBy.body));
    const filtered = await t.api('GET', `/stages/prompt/stages/?fields=${created[1].pk}`);
    assert.deepEqual(filtered.body.results.map((s: { name: string }) => s.name), ['api-stage']);
    const none = await t.api('GET', `/stages/prompt/stages/?fields=${created[2].pk}`);
    assert.equal(none.body.pagination.count, 0);
    const missing = await t.api('POST', '/stages/prompt/stages/', { body: { name: 'api-stage-2', fields: ['00000000-0000-4000-8000-000000000000'] } });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { fields: ['Invalid pk "00000000-0000-4000-8000-000000000000" - object does not exist.'] });

    assert.equal((await t.api('DELETE', `/stages/prompt/prompts/${created[1].pk}/`)).status, 204);
    const after = await t.api('GET', `/stages/prompt/stages/${stage.body.pk}/`);
    assert.deepEqual(after.body.fields, [created[0].pk]);
  });

  it('previews a prompt as a flow would show it, with expressions evaluated for the caller', async () => {
    const plain = await t.api('POST', '/stages/prompt/prompts/preview/', { body: { name: 'whatever', field_key: 'nick', label: 'Nickname', type: 'text', placeholder: 'Your nickname', sub_text: 'shown to others' } });
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.equal(plain.body.component, 'ak-stage-prompt');
    assert.deepEqual(plain.body.fields, [{
      field_key: 'nick', label: 'Nickname', type: 'text', required: true, placeholder: 'Your nickname', initial_value: '', order: 0, sub_text: 'shown to others', choices: null,
    }]);

    const expression = await t.api('POST', '/stages/prompt/prompts/preview/', {
      body: {
        name: 'x', field_key: 'email', label: 'Email', type: 'email', placeholder: "return f'{user.username}@example.org'", placeholder_expression: true,
        initial_value: 'return user.email', initial_value_expression: true,
      },
    });
    assert.equal(expression.status, 200, JSON.stringify(expression.body));
    assert.equal(expression.body.fields[0].placeholder, 'akadmin@example.org');
    assert.equal(expression.body.fields[0].initial_value, 'admin@example.test');

    const choices = await t.api('POST', '/stages/prompt/prompts/preview/', {
      body: { name: 'x', field_key: 'color', label: 'Color', type: 'dropdown', placeholder: "return ['red', 'green', 3]", placeholder_expression: true, initial_value: 'green' },
    });
    assert.deepEqual(choices.body.fields[0].choices, ['red', 'green', '3']);
    assert.equal(choices.body.fields[0].placeholder, '');
    assert.equal(choices.body.fields[0].initial_value, 'green');

    const failing = await t.api('POST', '/stages/prompt/prompts/preview/', {
      body: { name: 'x', field_key: 'f', label: 'F', type: 'text', placeholder: "return {}['missing']", placeholder_expression: true },
    });
    assert.equal(failing.status, 400);
    assert.equal(failing.body.non_field_errors.length, 1);
    assert.match(failing.body.non_field_errors[0], /KeyError/);

    const invalid = await t.api('POST', '/stages/prompt/prompts/preview/', { body: { field_key: 'f', label: 'F' } });
    assert.equal(invalid.status, 400);
    assert.ok(invalid.body.type);
  });

  it('shows the stage\'s prompts by order, with placeholders, initial values and choices from expressions and earlier answers', async () => {
    const first = await prompt('show-first', { field_key: 'first', type: 'text', order: 5 });
    const greeting = await prompt('show-greeting', {
      field_key: 'greeting', type: 'text_read_only', order: 2,
      initial_value: "return 'Hello ' + prompt_context.get('first', 'stranger')", initial_value_expression: true,
    });
    const color = await prompt('show-color', { field_key: 'color', type: 'radio-button-group', order: 1, placeholder: "return ['red', 'blue']", placeholder_expression: true, initial_value: 'purple' });
    const size = await prompt('show-size', { field_key: 'size', type: 'dropdown', order: 3, placeholder: 'only-choice' });
    const broken = await prompt('show-broken', { field_key: 'broken', type: 'text', order: 4, placeholder: 'return 1/0', placeholder_expression: true, required: false });
    const hidden = await prompt('show-hidden', { field_key: 'hidden', type: 'hidden', order: 6, placeholder: 'secret-default' });
    await flowOf('show', [
      ['prompt/stages', { fields: [first.pk] }],
      ['prompt/stages', { fields: [broken.pk, greeting.pk, color.pk, size.pk, hidden.pk] }],
    ]);
    const c = client();
    const one = await c.get('show');
    assert.deepEqual(one.body.fields.map((f: { field_key: string }) => f.field_key), ['first']);
    const two = await c.post('show', { first: 'Ada' });
    assert.equal(two.body.component, 'ak-stage-prompt');
    const byKey = Object.fromEntries(two.body.fields.map((f: { field_key: string }) => [f.field_key, f]));
    assert.deepEqual(two.body.fields.map((f: { field_key: string }) => f.field_key), ['color', 'greeting', 'size', 'broken', 'hidden']);
    assert.equal(byKey.greeting.initial_value, 'Hello Ada');
    assert.deepEqual(byKey.color.choices, ['red', 'blue']);
    assert.equal(byKey.color.initial_value, 'red', 'an initial value that is no choice becomes the first choice');
    assert.deepEqual(byKey.size.choices, ['only-choice']);
    assert.equal(byKey.broken.placeholder, 'return 1/0', 'a failing expression falls back to its source, as authentik does');
    assert.equal(byKey.hidden.placeholder, 'secret-default');
    assert.equal(byKey.first, undefined);
    const exceptions = await t.api('GET', '/events/events/?action=property_mapping_exception');
    assert.ok(exceptions.body.results.some((e: { context: { message?: string } }) => /ZeroDivisionError/.test(e.context.message ?? '')), JSON.stringify(exceptions.body.results));
  });

  it('validates every field type and shows bad input as response_errors per field', async () => {
    const fields = [
      await prompt('v-text', { field_key: 'text', type: 'text' }),
      await prompt('v-email', { field_key: 'email', type: 'email' }),
      await prompt('v-number', { field_key: 'number', type: 'number' }),
      await prompt('v-choice', { field_key: 'choice', type: 'dropdown', placeholder: "return ['a', 'b']", placeholder_expression: true }),
      await prompt('v-date', { field_key: 'date', type: 'date' }),
      await prompt('v-date-time', { field_key: 'datetime', type: 'date-time' }),
      await prompt('v-file', { field_key: 'file', type: 'file' }),
      await prompt('v-check', { field_key: 'check', type: 'checkbox' }),
      await prompt('v-locale', { field_key: 'locale', type: 'ak-locale' }),
      await prompt('v-area', { field_key: 'area', type: 'text_area', required: false }),
      await prompt('v-static', { field_key: 'static', type: 'static', placeholder: 'fixed text' }),
      await prompt('v-hidden', { field_key: 'hidden', type: 'hidden', placeholder: 'hidden value' }),
      await prompt('v-readonly', { field_key: 'readonly', type: 'text_read_only', initial_value: 'read only value' }),
      await prompt('v-separator', { field_key: 'separator', type: 'separator', required: false }),
    ];
    // The second stage shows what the first stored: a field's initial value is the answer in prompt_data.
    const echo = [
      await prompt('e-number', { field_key: 'number', type: 'text' }),
      await prompt('e-check', { field_key: 'check', type: 'text' }),
      await prompt('e-date', { field_key: 'date', type: 'text' }),
      await prompt('e-datetime', { field_key: 'datetime', type: 'text' }),
      await prompt('e-hidden', { field_key: 'hidden', type: 'text' }),
      await prompt('e-static', { field_key: 'static', type: 'text' }),
      await prompt('e-readonly', { field_key: 'readonly', type: 'text' }),
      await prompt('e-area', { field_key: 'area', type: 'text' }),
      await prompt('e-all', { field_key: 'all', type: 'text_area_read_only', initial_value: 'return sorted(prompt_context.keys())', initial_value_expression: true }),
    ];
    await flowOf('validate', [['prompt/stages', { fields: fields.map((f) => f.pk) }], ['prompt/stages', { fields: echo.map((f) => f.pk) }]]);

    const c = client();
    await c.get('validate');
    const bad = await c.post('validate', {
      text: '', email: 'not-an-email', number: 'twelve', choice: 'c', date: '2023-02-30', datetime: 'yesterday', file: 'https://example.test/x.png',
      check: 'maybe', locale: null,
    });
    assert.equal(bad.body.component, 'ak-stage-prompt');
    assert.deepEqual(bad.body.response_errors, {
      text: [{ string: 'This field may not be blank.', code: 'blank' }],
      email: [{ string: 'Enter a valid email address.', code: 'invalid' }],
      number: [{ string: 'A valid integer is required.', code: 'invalid' }],
      choice: [{ string: '"c" is not a valid choice.', code: 'invalid_choice' }],
      date: [{ string: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.', code: 'invalid' }],
      datetime: [{ string: 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].', code: 'invalid' }],
      file: [{ string: 'Invalid scheme', code: 'invalid' }],
      check: [{ string: 'Must be a valid boolean.', code: 'invalid' }],
      locale: [{ string: 'This field may not be null.', code: 'null' }],
    });

    const missing = await c.post('validate', { file: 'data:text/plain,aGk=' });
    for (const key of ['text', 'email', 'number', 'date', 'datetime', 'locale']) {
      assert.deepEqual(missing.body.response_errors[key], [{ string: 'This field is required.', code: 'required' }], key);
    }
    assert.equal(missing.body.response_errors.choice, undefined, 'a choice field defaults to its first choice');
    assert.deepEqual(missing.body.response_errors.file, [{ string: 'Invalid encoding', code: 'invalid' }]);
    assert.equal(missing.body.response_errors.check, undefined, 'a checkbox is never required');
    assert.equal(missing.body.response_errors.area, undefined);

    const good = await c.post('validate', {
      text: '  spaced  ', email: 'ada@example.test', number: '12.0', choice: 'b', date: '2023-1-5', datetime: '2023-10-01T12:00:00+02:00',
      file: 'data:text/plain;base64,aGk=', check: 'yes', locale: '', static: 'changed', hidden: 'changed', readonly: 'changed',
    });
    assert.equal(good.body.component, 'ak-stage-prompt', JSON.stringify(good.body.response_errors));
    assert.equal(good.body.response_errors, undefined);
    const shown = Object.fromEntries(good.body.fields.map((f: { field_key: string; initial_value: string }) => [f.field_key, f.initial_value]));
    assert.equal(shown.number, '12');
    assert.equal(shown.check, 'True');
    assert.equal(shown.date, '2023-01-05');
    assert.equal(shown.datetime, '2023-10-01T10:00:00Z');
    assert.equal(shown.hidden, 'hidden value', 'hidden fields keep their value whatever is sent');
    assert.equal(shown.static, 'fixed text');
    assert.equal(shown.readonly, 'read only value');
    assert.equal(shown.area, '', 'an optional field left out is not stored');
    assert.equal(shown.all, "['check', 'choice', 'component', 'date', 'datetime', 'email', 'file', 'hidden', 'locale', 'number', 'readonly', 'static', 'text']");
  });

  it('checks that two password fields match and runs the validation policies on the answers', async () => {
    const password = await prompt('p-password', { field_key: 'password', type: 'password' });
    const repeat = await prompt('p-repeat', { field_key: 'password_repeat', type: 'password' });
    const name = await prompt('p-name', { field_key: 'name', type: 'text' });
    const policy = await t.api('POST', '/policies/expression/', {
      body: { name: 'no-bad-names', expression: "if request.context['prompt_data']['name'] == 'bad':\n    ak_message('That name is not allowed.')\n    return False\nreturn True" },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const lengthPolicy = await t.api('POST', '/policies/password/', { body: { name: 'long-passwords', length_min: 8, error_message: 'Too short.' } });
    assert.equal(lengthPolicy.status, 201, JSON.stringify(lengthPolicy.body));
    const stages = await flowOf('passwords', [
      ['prompt/stages', { fields: [name.pk, password.pk, repeat.pk], validation_policies: [policy.body.pk, lengthPolicy.body.pk] }],
      ['prompt/stages', { fields: [await prompt('p-end', { field_key: 'end', type: 'text' }).then((p) => p.pk)] }],
    ]);
    assert.deepEqual(stages[0].validation_policies, [policy.body.pk, lengthPolicy.body.pk]);

    const c = client();
    await c.get('passwords');
    const mismatch = await c.post('passwords', { name: 'good', password: 'long enough 1', password_repeat: 'long enough 2' });
    assert.deepEqual(mismatch.body.response_errors, { non_field_errors: [{ string: "Passwords don't match.", code: 'invalid' }] });
    const badName = await c.post('passwords', { name: 'bad', password: 'long enough', password_repeat: 'long enough' });
    assert.deepEqual(badName.body.response_errors, { non_field_errors: [{ string: 'That name is not allowed.', code: 'invalid' }] });
    const short = await c.post('passwords', { name: 'good', password: 'short', password_repeat: 'short' });
    assert.deepEqual(short.body.response_errors, { non_field_errors: [{ string: 'Too short.', code: 'invalid' }] });
    const passed = await c.post('passwords', { name: 'good', password: 'long enough', password_repeat: 'long enough' });
    assert.equal(passed.body.component, 'ak-stage-prompt');
    assert.equal(passed.body.response_errors, undefined);
    assert.deepEqual(passed.body.fields.map((f: { field_key: string }) => f.field_key), ['end']);
  });

  it('restarts the flow on bad input when the binding says so', async () => {
    const field = await prompt('r-number', { field_key: 'r_number', type: 'number' });
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'restart', slug: 'restart', title: 'restart', designation: 'enrollment' } });
    const stage = await t.api('POST', '/stages/prompt/stages/', { body: { name: 'restart-prompt', fields: [field.pk] } });
    await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order: 0, invalid_response_action: 'restart' } });
    const c = client();
    await c.get('restart');
    const again = await c.post('restart', { r_number: 'x' });
    assert.equal(again.body.component, 'ak-stage-prompt');
    assert.equal(again.body.response_errors, undefined, 'a restarted flow shows a fresh challenge');
  });
});
