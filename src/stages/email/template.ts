/**
 * A small, safe subset of Django's template language, enough for authentik's email templates and the custom
 * ones admins mount: `{{ value.path|filter:"arg" }}`, `{% if %}`/`{% elif %}`/`{% else %}`, `{% for x in list %}`
 * (with `{% empty %}`), `{% extends %}`/`{% block %}`, `{% trans %}`, `{% blocktrans with a=b %}`, `{% load %}`
 * (ignored) and comments. Lookups read only own properties of plain data (never methods or prototypes), HTML
 * output is escaped, and anything else is a `TemplateSyntaxError`, as Django reports it.
 */

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

export type TemplateValue = string | number | boolean | null | undefined | Date | TemplateValue[] | { [key: string]: TemplateValue };
export type TemplateContext = Record<string, TemplateValue>;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; expr: string }
  | { kind: 'trans'; text: string }
  | { kind: 'blocktrans'; with: [string, string][]; body: Node[]; trimmed: boolean }
  | { kind: 'if'; branches: { cond: string | null; body: Node[] }[] }
  | { kind: 'for'; name: string; source: string; body: Node[]; empty: Node[] }
  | { kind: 'block'; name: string; body: Node[] };

interface Parsed {
  extends?: string;
  nodes: Node[];
  blocks: Map<string, Node[]>;
}

const TOKEN = /(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\})/;
const MAX_OUTPUT = 1024 * 1024;
const MAX_EXTENDS = 10;

function splitArgs(source: string): string[] {
  return source.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s]+/g) ?? [];
}

function unquote(value: string): string | undefined {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return undefined;
}

class Parser {
  private position = 0;
  private readonly tokens: string[];
  readonly blocks = new Map<string, Node[]>();
  extendsName?: string;

  constructor(source: string) {
    this.tokens = source.split(TOKEN).filter((t) => t !== '');
  }

  /** Parses until one of `until` (a tag name); returns the nodes and the closing tag's words. */
  parse(until: string[] = []): { nodes: Node[]; end?: string[] } {
    const nodes: Node[] = [];
    while (this.position < this.tokens.length) {
      const token = this.tokens[this.position++];
      if (token.startsWith('{#')) continue;
      if (token.startsWith('{{')) {
        const expr = token.slice(2, -2).trim();
        if (!expr) throw new TemplateSyntaxError('Empty variable tag');
        nodes.push({ kind: 'var', expr });
        continue;
      }
      if (!token.startsWith('{%')) {
        nodes.push({ kind: 'text', text: token });
        continue;
      }
      const words = splitArgs(token.slice(2, -2).trim());
      const tag = words[0];
      if (!tag) throw new TemplateSyntaxError('Empty block tag');
      if (until.includes(tag)) return { nodes, end: words };
      nodes.push(...this.tag(tag, words));
    }
    if (until.length) throw new TemplateSyntaxError(`Unclosed tag, expected one of: ${until.join(', ')}`);
    return { nodes };
  }

  private tag(tag: string, words: string[]): Node[] {
    switch (tag) {
      case 'load':
        return [];
      case 'extends': {
        const name = words[1] ? unquote(words[1]) : undefined;
        if (!name || words.length !== 2) throw new TemplateSyntaxError("'extends' takes one quoted template name");
        if (this.extendsName) throw new TemplateSyntaxError("'extends' cannot appear more than once in the same template");
        this.extendsName = name;
        return [];
      }
      case 'block': {
        const name = words[1];
        if (!name || words.length !== 2) throw new TemplateSyntaxError("'block' tag takes only one argument");
        if (this.blocks.has(name)) throw new TemplateSyntaxError(`'block' tag with name '${name}' appears more than once`);
        const { nodes } = this.parse(['endblock']);
        this.blocks.set(name, nodes);
        return [{ kind: 'block', name, body: nodes }];
      }
      case 'comment':
        this.parse(['endcomment']);
        return [];
      case 'trans':
      case 'translate': {
        const text = words[1] ? unquote(words[1]) : undefined;
        if (text === undefined) throw new TemplateSyntaxError(`'${tag}' takes a quoted string`);
        return [{ kind: 'trans', text }];
      }
      case 'blocktrans':
      case 'blocktranslate':
        return [this.blocktrans(tag, words.slice(1))];
      case 'if':
        return [this.ifTag(words.slice(1).join(' '))];
      case 'for': {
        if (words.length !== 4 || words[2] !== 'in' || !/^[A-Za-z_]\w*$/.test(words[1])) throw new TemplateSyntaxError("'for' statements should use the format 'for x in y'");
        const body = this.parse(['empty', 'endfor']);
        const empty = body.end?.[0] === 'empty' ? this.parse(['endfor']).nodes : [];
        return [{ kind: 'for', name: words[1], source: words[3], body: body.nodes, empty }];
      }
      default:
        throw new TemplateSyntaxError(`Invalid block tag: '${tag}'`);
    }
  }

  private blocktrans(tag: string, args: string[]): Node {
    const bindings: [string, string][] = [];
    let trimmed = false;
    for (let i = 0; i < args.length; i += 1) {
      if (args[i] === 'trimmed') trimmed = true;
      else if (args[i] === 'with') {
        while (i + 1 < args.length && args[i + 1].includes('=')) {
          const [name, ...rest] = args[++i].split('=');
          bindings.push([name, rest.join('=')]);
        }
      } else throw new TemplateSyntaxError(`Unknown argument for '${tag}' tag: '${args[i]}'`);
    }
    const { nodes } = this.parse([`end${tag}`]);
    for (const node of nodes) {
      if (node.kind !== 'text' && !(node.kind === 'var' && /^[A-Za-z_]\w*$/.test(node.expr))) {
        throw new TemplateSyntaxError(`'${tag}' doesn't allow other block tags or filtered variables inside it`);
      }
    }
    return { kind: 'blocktrans', with: bindings, body: nodes, trimmed };
  }

  private ifTag(cond: string): Node {
    if (!cond) throw new TemplateSyntaxError("'if' statement requires an expression");
    const branches: { cond: string | null; body: Node[] }[] = [];
    let current: string | null = cond;
    for (;;) {
      const { nodes, end } = this.parse(['elif', 'else', 'endif']);
      branches.push({ cond: current, body: nodes });
      if (!end || end[0] === 'endif') break;
      if (end[0] === 'else') {
        branches.push({ cond: null, body: this.parse(['endif']).nodes });
        break;
      }
      current = end.slice(1).join(' ');
      if (!current) throw new TemplateSyntaxError("'elif' statement requires an expression");
    }
    return { kind: 'if', branches };
  }
}

export function parseTemplate(source: string): Parsed {
  const parser = new Parser(source);
  const { nodes } = parser.parse();
  return { extends: parser.extendsName, nodes, blocks: parser.blocks };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!);
}

function plural(count: number, unit: string): string {
  return count === 1 ? `${unit === 'hour' ? 'an' : 'a'} ${unit}` : `${count} ${unit}s`;
}

/** Django humanize's `naturaltime`: "30 minutes from now", "an hour ago", "now". */
export function naturaltime(value: Date, now = new Date()): string {
  const delta = Math.round((value.getTime() - now.getTime()) / 1000);
  const seconds = Math.abs(delta);
  const suffix = delta > 0 ? 'from now' : 'ago';
  if (seconds === 0) return 'now';
  if (seconds < 60) return `${plural(seconds, 'second')} ${suffix}`;
  if (seconds < 3600) return `${plural(Math.floor(seconds / 60), 'minute')} ${suffix}`;
  if (seconds < 86400) return `${plural(Math.floor(seconds / 3600), 'hour')} ${suffix}`;
  const units: [number, string][] = [[365 * 86400, 'year'], [30 * 86400, 'month'], [7 * 86400, 'week'], [86400, 'day']];
  for (const [size, unit] of units) {
    if (seconds >= size) return `${plural(Math.floor(seconds / size), unit)} ${suffix}`;
  }
  return 'now';
}

function toText(value: TemplateValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(toText).join(', ')}]`;
  if (typeof value === 'object') return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

function truthy(value: TemplateValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Date) return true;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

type Filter = (value: TemplateValue, arg: TemplateValue) => TemplateValue;

const FILTERS: Record<string, Filter> = {
  default: (value, arg) => (truthy(value) ? value : arg),
  upper: (value) => toText(value).toUpperCase(),
  lower: (value) => toText(value).toLowerCase(),
  capfirst: (value) => {
    const text = toText(value);
    return text.charAt(0).toUpperCase() + text.slice(1);
  },
  length: (value) => (Array.isArray(value) || typeof value === 'string' ? value.length : 0),
  naturaltime: (value) => (value instanceof Date ? naturaltime(value) : value),
};

class Renderer {
  private size = 0;

  constructor(private readonly html: boolean, private readonly blocks: Map<string, Node[]>) {}

  private lookup(path: string, scope: TemplateContext): TemplateValue {
    const literal = unquote(path);
    if (literal !== undefined) return literal;
    if (/^-?\d+(\.\d+)?$/.test(path)) return Number(path);
    if (path === 'True' || path === 'False') return path === 'True';
    if (path === 'None') return null;
    if (!/^[A-Za-z_][\w]*(\.\w+)*$/.test(path)) throw new TemplateSyntaxError(`Could not parse the remainder: '${path}'`);
    let current: TemplateValue = scope;
    for (const part of path.split('.')) {
      // Only data: no underscored names, no prototype members, no methods.
      if (part.startsWith('_')) throw new TemplateSyntaxError(`Variables and attributes may not begin with underscores: '${path}'`);
      if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
      else if (current && typeof current === 'object' && !Array.isArray(current) && !(current instanceof Date) && Object.hasOwn(current, part)) {
        current = (current as Record<string, TemplateValue>)[part];
      } else return undefined;
    }
    return current;
  }

  private evaluate(expr: string, scope: TemplateContext): TemplateValue {
    const [head, ...filters] = expr.match(/(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^|])+/g) ?? [''];
    let value = this.lookup(head.trim(), scope);
    for (const raw of filters) {
      const match = /^\s*(\w+)(?::(.+))?\s*$/.exec(raw);
      const filter = match ? FILTERS[match[1]] : undefined;
      if (!match || !filter) throw new TemplateSyntaxError(`Invalid filter: '${raw.trim()}'`);
      value = filter(value, match[2] === undefined ? undefined : this.lookup(match[2].trim(), scope));
    }
    return value;
  }

  /** `a`, `not a`, `a and b`, `a or b`, `a == b`, `a != b`: Django's precedence (or < and < not < comparisons). */
  private condition(cond: string, scope: TemplateContext): boolean {
    const words = splitArgs(cond);
    const or = words.indexOf('or');
    if (or >= 0) return this.condition(words.slice(0, or).join(' '), scope) || this.condition(words.slice(or + 1).join(' '), scope);
    const and = words.indexOf('and');
    if (and >= 0) return this.condition(words.slice(0, and).join(' '), scope) && this.condition(words.slice(and + 1).join(' '), scope);
    if (words[0] === 'not') return !this.condition(words.slice(1).join(' '), scope);
    if (words.length === 3 && (words[1] === '==' || words[1] === '!=')) {
      const equal = toText(this.evaluate(words[0], scope)) === toText(this.evaluate(words[2], scope));
      return words[1] === '==' ? equal : !equal;
    }
    if (words.length !== 1) throw new TemplateSyntaxError(`Unused '${words.slice(1).join(' ')}' at end of if expression.`);
    return truthy(this.evaluate(words[0], scope));
  }

  private output(text: string): string {
    this.size += text.length;
    if (this.size > MAX_OUTPUT) throw new TemplateSyntaxError('Rendered template is too large');
    return text;
  }

  private value(value: TemplateValue): string {
    const text = toText(value);
    return this.html ? escapeHtml(text) : text;
  }

  render(nodes: Node[], scope: TemplateContext): string {
    let out = '';
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += this.output(node.text);
          break;
        case 'var':
          out += this.output(this.value(this.evaluate(node.expr, scope)));
          break;
        case 'trans':
          out += this.output(this.html ? escapeHtml(node.text) : node.text);
          break;
        case 'blocktrans': {
          const inner: TemplateContext = { ...scope };
          for (const [name, expr] of node.with) inner[name] = this.evaluate(expr, scope);
          let text = this.render(node.body, inner);
          if (node.trimmed) text = text.trim().replace(/\s*\n\s*/g, ' ');
          out += text;
          break;
        }
        case 'if': {
          const branch = node.branches.find((b) => b.cond === null || this.condition(b.cond, scope));
          if (branch) out += this.render(branch.body, scope);
          break;
        }
        case 'for': {
          const source = this.evaluate(node.source, scope);
          const items = Array.isArray(source) ? source : [];
          if (!items.length) out += this.render(node.empty, scope);
          for (const item of items) out += this.render(node.body, { ...scope, [node.name]: item });
          break;
        }
        case 'block':
          out += this.render(this.blocks.get(node.name) ?? node.body, scope);
          break;
      }
    }
    return out;
  }
}

/** Where templates come from: by name (`email/password_reset.html`), or undefined when there is none. */
export type TemplateLoader = (name: string) => string | undefined;

/**
 * Renders the template `name` with `context`: its `{% extends %}` chain is resolved through `load`, a child's
 * blocks replacing its parents'. `html` escapes values for HTML; plain-text templates get them as they are.
 */
export function renderTemplate(load: TemplateLoader, name: string, context: TemplateContext, options: { html: boolean }): string {
  const chain: Parsed[] = [];
  let current: string | undefined = name;
  while (current !== undefined) {
    if (chain.length > MAX_EXTENDS) throw new TemplateSyntaxError('Too many levels of {% extends %}');
    const source = load(current);
    if (source === undefined) throw new TemplateSyntaxError(`Template does not exist: ${current}`);
    const parsed = parseTemplate(source);
    chain.push(parsed);
    current = parsed.extends;
  }
  // The most derived definition of each block wins.
  const blocks = new Map<string, Node[]>();
  for (const parsed of chain) for (const [block, nodes] of parsed.blocks) if (!blocks.has(block)) blocks.set(block, nodes);
  return new Renderer(options.html, blocks).render(chain[chain.length - 1].nodes, context);
}
