import { randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../api/context.js';
import type { ContextFactory } from '../api/viewset.js';
import { ApiError, MethodNotAllowed, NotFound, PermissionDenied } from '../api/errors.js';
import { mediaPath } from '../config/index.js';
import { sniffImage } from '../core/applications/icons.js';
import { flows } from './table.js';
import { planCache } from './cache.js';

/** Where uploaded flow backgrounds live, relative to the media folder (authentik's `upload_to`). */
export const BACKGROUND_FOLDER = 'flow-backgrounds';
const MAX_BYTES = 10 * 1024 * 1024;

async function readUpload(request: FastifyRequest): Promise<{ file?: Buffer; clear: boolean }> {
  let file: Buffer | undefined;
  let clear = false;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (part.fieldname === 'file' && !file) file = data;
    } else if (part.fieldname === 'clear') {
      clear = String(part.value).toLowerCase() === 'true';
    }
  }
  return { file, clear };
}

/** Stores an image under a random name with the extension of its sniffed type; never a name the client chose. */
async function store(services: Services, kind: string, data: Buffer): Promise<string> {
  const folder = join(mediaPath(services.config), BACKGROUND_FOLDER);
  await mkdir(folder, { recursive: true });
  const name = `${randomBytes(12).toString('hex')}.${kind}`;
  const handle = await open(join(folder, name), 'wx', 0o644);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  return `${BACKGROUND_FOLDER}/${name}`;
}

async function removeStored(services: Services, name: string): Promise<void> {
  if (!/^flow-backgrounds\/[0-9a-f]{24}\.[a-z]+$/.test(name)) return;
  await unlink(join(mediaPath(services.config), name)).catch(() => undefined);
}

/**
 * `set_background`: a multipart upload (in its own scope, so the multipart parser stays off other routes), the
 * image checked by its content; `clear` removes the background. Answers without a body, as the schema declares.
 */
export function backgroundRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  const url = '/api/v3/flows/instances/:slug/set_background/';
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { files: 1, fileSize: MAX_BYTES, fields: 10, fieldSize: 1024, parts: 12 } });
    scope.post<{ Params: { slug: string } }>(url, async (request, reply) => {
      const ctx = await makeContext(request, reply);
      if (!ctx.principal.isSuperuser) throw new PermissionDenied();
      const [flow] = await services.db.select().from(flows).where(eq(flows.slug, request.params.slug)).limit(1);
      if (!flow) throw new NotFound();
      if (!request.isMultipart()) {
        throw new ApiError(415, { detail: `Unsupported media type "${String(request.headers['content-type'] ?? '')}" in request.` });
      }
      const upload = await readUpload(request);
      let background = '';
      if (!upload.clear) {
        const kind = upload.file ? sniffImage(upload.file) : undefined;
        if (!upload.file || !kind) return reply.code(400).send();
        background = await store(services, kind, upload.file);
      }
      await services.db.update(flows).set({ background }).where(eq(flows.flowUuid, flow.flowUuid));
      planCache.invalidateFlow(flow.flowUuid);
      if (flow.background !== background) await removeStored(services, flow.background);
      return reply.code(200).send();
    });
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE'] as const) {
      scope.route({ method, url, handler: async (request, reply) => {
        await makeContext(request, reply);
        throw new MethodNotAllowed(method);
      } });
    }
  });
}
