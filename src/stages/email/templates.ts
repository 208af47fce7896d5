import { readdirSync, readFileSync, statSync, accessSync, constants } from 'node:fs';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { renderTemplate, type TemplateContext } from './template.js';
import { projectPath } from '../../lib/project.js';

/** authentik's built-in email templates, by name, with their labels (`EmailTemplates`). */
export const BUILTIN_TEMPLATES: [string, string][] = [
  ['email/password_reset.html', 'Password Reset'],
  ['email/account_confirmation.html', 'Account Confirmation'],
];

const BUILTIN_DIR = projectPath('src/stages/email/templates');
/** Templates are small; a bigger file is not read (and so is not a template). */
const MAX_TEMPLATE_BYTES = 256 * 1024;

function htmlFilesUnder(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...htmlFilesUnder(path, depth + 1));
    else if (entry.isFile() && entry.name.endsWith('.html')) found.push(path);
  }
  return found;
}

/**
 * authentik's `get_template_choices`: the built-in templates, then every readable `.html` file under the
 * custom template folder (`AUTHENTIK_EMAIL__TEMPLATE_DIR`) by its relative path.
 */
export function templateChoices(templateDir: string): [string, string][] {
  const choices = [...BUILTIN_TEMPLATES];
  if (!templateDir) return choices;
  for (const path of htmlFilesUnder(templateDir)) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      continue;
    }
    const name = relative(templateDir, path).split(sep).join('/');
    choices.push([name, `Custom Template: ${name}`]);
  }
  return choices;
}

/** The file a template name stands for under `root`, or undefined for names that would leave it. */
function inside(root: string, name: string): string | undefined {
  if (!name || isAbsolute(name) || name.includes('\0')) return undefined;
  const path = normalize(join(root, name));
  const rel = relative(root, path);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return path;
}

function readTemplate(root: string, name: string): string | undefined {
  const path = inside(root, name);
  if (!path) return undefined;
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > MAX_TEMPLATE_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Django's loader order: the custom folder first (so it may override a built-in), then the built-ins. */
export function templateLoader(templateDir: string) {
  return (name: string): string | undefined => (templateDir ? readTemplate(templateDir, name) : undefined) ?? readTemplate(BUILTIN_DIR, name);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#x27': "'", '#39': "'" };

/** A readable plain-text version of an HTML email, for templates without a `.txt` sibling. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<a\b[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi, (_m, _q, href: string, label: string) => {
      const text = label.replace(/<[^>]*>/g, '').trim();
      return text && text !== href ? `${text} (${href})` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|h[1-6]|li|table)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#?\w+);/g, (match, name: string) => ENTITIES[name.toLowerCase()] ?? match)
    .split('\n').map((line) => line.replace(/[ \t]+/g, ' ').trim()).join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface RenderedEmail {
  html: string;
  text: string;
}

/** The HTML part from `template`, the text part from its `.txt` sibling when there is one, else from the HTML. */
export function renderEmail(templateDir: string, template: string, context: TemplateContext): RenderedEmail {
  const load = templateLoader(templateDir);
  const html = renderTemplate(load, template, context, { html: true });
  const textName = template.endsWith('.html') ? `${template.slice(0, -'.html'.length)}.txt` : undefined;
  const text = textName && load(textName) !== undefined ? renderTemplate(load, textName, context, { html: false }).trim() : htmlToText(html);
  return { html, text };
}
