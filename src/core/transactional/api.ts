import type { FastifyInstance } from 'fastify';
import type { ApiContext, Services } from '../../api/context.js';
import type { ContextFactory } from '../../api/viewset.js';
import type { Json } from '../../api/model.js';
import { registerEndpoint, type EndpointContext } from '../../api/endpoint.js';
import { ValidationError } from '../../api/errors.js';
import { validateRequest } from '../../api/contract/validation.js';
import { loadSchemaDocument } from '../../api/contract/document.js';
import { createObject, primaryKeyOf } from '../../api/writer.js';
import type { Db } from '../../db/database.js';
import { applicationModel } from '../applications/model.js';
import { providerModelFor } from '../applications/providers.js';

/** The Python type name DRF puts in its messages for a JSON value. */
function pythonType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return ({ string: 'str', boolean: 'bool', object: 'dict' } as Record<string, string>)[typeof value] ?? 'str';
}

/** The provider types authentik's schema offers (`ProviderModelEnum`). */
function providerChoices(): string[] {
  const schemas = loadSchemaDocument().components.schemas as Record<string, { enum?: string[] }>;
  return schemas.ProviderModelEnum?.enum ?? [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runs `work`, reporting its field errors under `entry` (authentik names a failing blueprint entry by its id). */
async function asEntry<T>(entry: 'app' | 'provider', work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError({ [entry]: err.fields });
    throw err;
  }
}

/**
 * The shape of a `TransactionApplicationRequest`, checked as DRF would before anything is written: the
 * application's own fields, a known `provider_model`, and a `provider` object (its fields are its type's to check).
 */
function checkShape(body: unknown): { app: Json; providerModel: string; provider: Json } {
  if (!isObject(body)) throw ValidationError.nonField(`Invalid data. Expected a dictionary, but got ${pythonType(body)}.`);
  const errors: Record<string, unknown> = {};
  if (!('app' in body)) errors.app = ['This field is required.'];
  else {
    try {
      // The provider is the transaction's own: the application refers to it once it exists.
      validateRequest('ApplicationRequest', isObject(body.app) ? { ...body.app, provider: null } : body.app);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors.app = err.fields;
    }
  }
  if (!('provider_model' in body)) errors.provider_model = ['This field is required.'];
  else if (typeof body.provider_model !== 'string' || !providerChoices().includes(body.provider_model)) {
    errors.provider_model = [`"${String(body.provider_model)}" is not a valid choice.`];
  }
  if (!('provider' in body)) errors.provider = ['This field is required.'];
  else if (!isObject(body.provider)) errors.provider = [`Expected a dictionary of items but got type "${pythonType(body.provider)}".`];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { app: body.app as Json, providerModel: body.provider_model as string, provider: body.provider as Json };
}

/**
 * authentik's `TransactionalApplicationView`: creates a provider and an application using it in one transaction,
 * both through their models' write path (as authentik's blueprint importer does with `must_created` entries), so
 * that either both exist afterwards or neither does. A provider type can be created once its domain registers its
 * model (a subtype of the provider base table); until then the request is refused naming `provider_model`.
 */
async function createApplicationWithProvider(ctx: EndpointContext) {
  const { app, providerModel, provider } = checkShape(ctx.request.body);
  const model = providerModelFor(providerModel);
  if (!model) throw ValidationError.field('provider_model', `Provider type ${providerModel} is not supported by this server yet.`);
  const apiCtx = ctx as ApiContext;
  await ctx.services.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const created = await asEntry('provider', () => createObject(model, provider, apiCtx, tx));
    await asEntry('app', () => createObject(applicationModel, { ...app, provider: primaryKeyOf(model, created) }, apiCtx, tx));
  });
  return { applied: true, logs: [] };
}

export function transactionalRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  registerEndpoint(app, services, makeContext, {
    path: '/core/transactional/applications/',
    access: 'superuser',
    methods: { PUT: createApplicationWithProvider },
  });
}
