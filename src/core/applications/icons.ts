import { createReadStream } from 'node:fs';
import { mkdir, open, realpath, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { extname, join, resolve, sep } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eq } from 'drizzle-orm';
import type { Services } from '../../api/context.js';
import type { ContextFactory } from '../../api/viewset.js';
import { ApiError, MethodNotAllowed, NotFound, PermissionDenied } from '../../api/errors.js';
import { type Config, mediaPath } from '../../config/index.js';
import { applications } from '../table.js';

/** Where uploaded application icons live, relative to the media folder (authentik's `upload_to`). */
export const ICON_FOLDER = 'application-icons';
const MAX_ICON_BYTES = 5 * 1024 * 1024;



const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', ico: 'image/x-icon', svg: 'image/svg+xml',
};
const EXTENSIONS: Record<string, string> = { ...Object.fromEntries(Object.keys(CONTENT_TYPES).map((e) => [e, e])), jpeg: 'jpg' };

const SVG_START = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i;

/** The image type of `data` by its content (never by the name or the client's content type), or undefined. */
export function sniffImage(data: Buffer): keyof typeof CONTENT_TYPES | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => data[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpg';
  if (data.subarray(0, 6).toString('latin1') === 'GIF87a' || data.subarray(0, 6).toString('latin1') === 'GIF89a') return 'gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (starts(0x00, 0x00, 0x01, 0x00) && data.length > 6) return 'ico';
  const head = data.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  if (SVG_START.test(head)) return 'svg';
  return undefined;
}

/** A media name that could leave its folder or reach hidden files: `..`, `.x`, empty segments, backslashes, NULs. */
export function isUnsafeMediaName(name: string): boolean {
  if (!name || name.startsWith('/') || /[\\\0]/.test(name)) return true;
  return name.split('/').some((segment) => segment === '' || segment.startsWith('.'));
}

/** `root/name` if it stays inside `root`, else undefined. */
function inside(root: string, name: string): string | undefined {
  if (isUnsafeMediaName(name)) return undefined;
  const path = resolve(root, name);
  return path.startsWith(root + sep) ? path : undefined;
}

/** Deletes an icon this server stored (a file under `application-icons/`); names and URLs set by hand stay. */
export async function removeUploadedIcon(services: Services, name: string | null): Promise<void> {
  if (!name?.startsWith(`${ICON_FOLDER}/`)) return;
  const path = inside(mediaPath(services.config), name);
  if (!path) return;
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') services.log.warn({ err: err.message }, 'could not remove an application icon');
  });
}

/** Stores an icon under a name made from the upload's (safe characters only, the sniffed type's extension). */
async function storeIcon(config: Config, filename: string, kind: string, data: Buffer): Promise<string> {
  const folder = join(mediaPath(config), ICON_FOLDER);
  await mkdir(folder, { recursive: true });
  const stem = filename.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100) || 'icon';
  for (let attempt = 0; ; attempt += 1) {
    // Django's `get_available_name`: the name as it is if free, else with a random suffix.
    const name = attempt === 0 ? `${stem}.${kind}` : `${stem}_${randomBytes(5).toString('hex').slice(0, 7)}.${kind}`;
    try {
      const handle = await open(join(folder, name), 'wx', 0o644);
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
      return `${ICON_FOLDER}/${name}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 10) throw err;
    }
  }
}

/** Reads `file` and `clear` from a `FileUploadRequest`; the file at most once and within the size limit. */
async function readUpload(request: FastifyRequest): Promise<{ file?: { filename: string; data: Buffer }; clear: boolean }> {
  let file: { filename: string; data: Buffer } | undefined;
  let clear = false;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (part.fieldname === 'file' && !file) file = { filename: part.filename, data };
    } else if (part.fieldname === 'clear') {
      clear = String(part.value).toLowerCase() === 'true';
    }
  }
  return { file, clear };
}

/** Answers without a body, as the schema declares set_icon's 200 and 400. */
function bare(reply: FastifyReply, status: number) {
  return reply.code(status).send();
}

/**
 * `set_icon` (multipart, so in its own scope: the multipart parser stays out of every other route) and the
 * `/media/` files it serves.
 */
export function iconRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  const url = '/api/v3/core/applications/:slug/set_icon/';
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { files: 1, fileSize: MAX_ICON_BYTES, fields: 10, fieldSize: 1024, parts: 12 } });
    scope.post<{ Params: { slug: string } }>(url, async (request, reply) => {
      const ctx = await makeContext(request, reply);
      if (!ctx.principal.isSuperuser) throw new PermissionDenied();
      const [application] = await services.db.select().from(applications).where(eq(applications.slug, request.params.slug)).limit(1);
      if (!application) throw new NotFound();
      if (!request.isMultipart()) {
        throw new ApiError(415, { detail: `Unsupported media type "${String(request.headers['content-type'] ?? '')}" in request.` });
      }
      const upload = await readUpload(request);
      if (upload.clear) {
        await services.db.update(applications).set({ metaIcon: null }).where(eq(applications.pbmUuid, application.pbmUuid));
        await removeUploadedIcon(services, application.metaIcon);
        return bare(reply, 200);
      }
      if (!upload.file) return bare(reply, 400);
      const kind = sniffImage(upload.file.data);
      if (!kind) return bare(reply, 400);
      const name = await storeIcon(services.config, upload.file.filename, kind, upload.file.data);
      await services.db.update(applications).set({ metaIcon: name }).where(eq(applications.pbmUuid, application.pbmUuid));
      if (application.metaIcon !== name) await removeUploadedIcon(services, application.metaIcon);
      return bare(reply, 200);
    });
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE'] as const) {
      scope.route({ method, url, handler: async (request, reply) => {
        await makeContext(request, reply);
        throw new MethodNotAllowed(method);
      } });
    }
  });

  app.route<{ Params: { '*': string } }>({
    // GET only: fastify answers HEAD from it.
    method: 'GET',
    url: '/media/*',
    async handler(request, reply) {
      const notFound = () => reply.code(404).send({ detail: 'Not found.' });
      const root = mediaPath(services.config);
      const path = inside(root, request.params['*']);
      const type = path ? CONTENT_TYPES[EXTENSIONS[extname(path).slice(1).toLowerCase()] ?? ''] : undefined;
      if (!path || !type) return notFound();
      try {
        // Symbolic links may not lead out of the media folder either.
        const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
        if (!real.startsWith(realRoot + sep)) return notFound();
        const info = await stat(real);
        if (!info.isFile()) return notFound();
        reply.header('content-type', type).header('content-length', info.size)
          .header('x-content-type-options', 'nosniff')
          // An SVG is a document that could run script on this origin: served as an inert image.
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
          .header('cache-control', 'public, max-age=3600');
        return reply.send(createReadStream(real));
      } catch {
        return notFound();
      }
    },
  });
}
