import type { FastifyReply } from 'fastify';

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A plain page (authentik's `bad_request_message` and friends): a title, a message, maybe a form. */
export function sendPage(reply: FastifyReply, status: number, title: string, message: string, form?: string) {
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} - authentik</title></head>
<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p>${form ?? ''}</main></body></html>`;
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

export function codeForm(action: string, error?: string): string {
  return `${error ? `<p role="alert">${escape(error)}</p>` : ''}<form method="get" action="${escape(action)}"><label>Code <input name="code" autocomplete="off" autofocus></label> <button type="submit">Continue</button></form>`;
}
