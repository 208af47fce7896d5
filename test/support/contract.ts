import { schemaValidator } from '../../src/api/contract/validation.js';
import { loadSchemaDocument, type OpenApiOperation } from '../../src/api/contract/document.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Run-time contract check: finds the schema's operation for a request and validates the response's status
 * and JSON body against what that operation declares. Every API test goes through it.
 */
interface Route {
  method: string;
  pattern: RegExp;
  template: string;
  operation: OpenApiOperation;
}

let routes: Route[] | undefined;

function compileRoutes(): Route[] {
  const document = loadSchemaDocument();
  const list: Route[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    for (const [method, operation] of Object.entries(methods)) {
      if (typeof operation !== 'object' || !operation || !('responses' in operation)) continue;
      list.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), template, operation });
    }
  }
  // Literal segments beat parameters: `/core/users/me/` must not match `/core/users/{id}/`.
  const literalLength = (t: string) => t.replace(/\{[^}]+\}/g, '').length;
  return list.sort((a, b) => literalLength(b.template) - literalLength(a.template));
}

export function findOperation(method: string, url: string): Route | undefined {
  routes ??= compileRoutes();
  const path = new URL(url, 'http://x').pathname.replace(/^\/api\/v3/, '');
  return routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let inlineAjv: Ajv | undefined;

function validatorFor(schema: Record<string, unknown>) {
  const ref = schema.$ref as string | undefined;
  if (ref?.startsWith('#/components/schemas/')) return schemaValidator(ref.slice('#/components/schemas/'.length));
  if (!inlineAjv) {
    inlineAjv = new Ajv({ allErrors: true, strict: false });
    addFormats(inlineAjv);
    for (const name of ['double', 'float', 'int32', 'int64', 'binary', 'byte']) inlineAjv.addFormat(name, true);
    inlineAjv.addSchema({ $id: 'doc', components: loadSchemaDocument().components });
  }
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'));
  return inlineAjv.compile(rewritten);
}

/** Statuses every operation may answer although the schema does not list them all. */
const GENERIC_STATUSES: Record<number, string> = { 401: 'GenericError', 404: 'GenericError', 405: 'GenericError', 413: 'GenericError', 415: 'GenericError' };

export class ContractViolation extends Error {}

export function checkResponse(method: string, url: string, status: number, body: unknown, contentType = 'application/json'): void {
  const route = findOperation(method, url);
  if (!route) throw new ContractViolation(`${method} ${url}: no such operation in the schema`);
  const declared = route.operation.responses[String(status)];
  if (!declared) {
    const generic = GENERIC_STATUSES[status];
    if (!generic) {
      throw new ContractViolation(`${method} ${url} (${route.operation.operationId}): status ${status} is not declared (declared: ${Object.keys(route.operation.responses).join(', ')})`);
    }
    if (body !== undefined && !schemaValidator(generic)(body)) throw new ContractViolation(`${method} ${url}: ${status} body is not a ${generic}`);
    return;
  }
  const content = declared.content;
  if (!content) {
    if (body !== undefined && body !== '' && body !== null) throw new ContractViolation(`${method} ${url}: ${status} declares no body, got one`);
    return;
  }
  const media = content['application/json'] ?? Object.values(content)[0];
  if (!contentType.includes('json') || !media?.schema) return;
  const validate = validatorFor(media.schema);
  if (!validate(body)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new ContractViolation(`${method} ${url} (${route.operation.operationId}) ${status}: body does not match the schema: ${errors}\n${JSON.stringify(body).slice(0, 600)}`);
  }
}
