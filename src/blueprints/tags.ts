import { readFile } from 'node:fs/promises';
import { percentFormat, PythonTypeError, pyStr, truthy } from './python.js';

/**
 * authentik's YAML tags. The loader turns each tagged node into one of these objects, with its arguments as
 * parsed (nested tags stay objects); nothing is evaluated until an entry is applied, so `!KeyOf` and `!Find` see
 * what earlier entries created, as in authentik.
 */

/** What a tag may look at while an entry resolves. */
export interface TagScope {
  /** Resolves a value completely: tags anywhere inside maps and lists, as authentik's `tag_resolver`. */
  resolve(value: unknown): Promise<unknown>;
  /** The merged context: defaults, the blueprint's own, the instance's. */
  readonly context: Record<string, unknown>;
  /** The primary key of the object an earlier entry with this `id` created or found. */
  keyOf(id: string): unknown;
  /** The first object of `model` matching every `[field, value]` condition, or undefined. */
  find(model: string, conditions: [string, unknown][]): Promise<{ pk: unknown; serialize(): Promise<unknown> } | undefined>;
  /** The `!Enumerate` tags being iterated, innermost last. */
  readonly enumerations: Enumerate[];
  /** Raises the entry's error. */
  fail(message: string): never;
}

export abstract class YamlTag {
  abstract resolve(scope: TagScope): Promise<unknown>;
}

type Args = unknown[];

function scalarOrPair(value: unknown): { key: unknown; fallback: unknown } {
  if (Array.isArray(value)) return { key: value[0], fallback: value[1] ?? null };
  return { key: value, fallback: null };
}

export class KeyOf extends YamlTag {
  constructor(readonly id: string) {
    super();
  }

  async resolve(scope: TagScope) {
    return scope.keyOf(this.id);
  }
}

/** `!Env NAME` or `!Env [NAME, default]`: an empty variable counts as unset, as Python's `getenv(k) or default`. */
export class Env extends YamlTag {
  constructor(readonly args: unknown) {
    super();
  }

  async resolve(scope: TagScope) {
    const { key, fallback } = scalarOrPair(this.args);
    const name = String(await scope.resolve(key));
    return process.env[name] || (await scope.resolve(fallback));
  }
}

/** `!File path` or `!File [path, default]`: the file's contents, stripped; the default when unreadable. */
export class File extends YamlTag {
  constructor(readonly args: unknown) {
    super();
  }

  async resolve(scope: TagScope) {
    const { key, fallback } = scalarOrPair(this.args);
    try {
      return (await readFile(String(await scope.resolve(key)), 'utf8')).trim();
    } catch {
      return scope.resolve(fallback);
    }
  }
}

/** Dotted lookup (`some.nested.0`) for keys that are not present literally. */
function nested(context: Record<string, unknown>, key: string): { found: boolean; value?: unknown } {
  let node: unknown = context;
  for (const part of key.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(part) && Number(part) < node.length) node = node[Number(part)];
    else if (node && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, part)) node = (node as Record<string, unknown>)[part];
    else return { found: false };
  }
  return { found: true, value: node };
}

export class Context extends YamlTag {
  constructor(readonly args: unknown) {
    super();
  }

  async resolve(scope: TagScope) {
    const { key, fallback } = scalarOrPair(this.args);
    const name = String(await scope.resolve(key));
    let value: unknown;
    if (Object.hasOwn(scope.context, name)) value = scope.context[name];
    else {
      const found = nested(scope.context, name);
      value = found.found ? found.value : fallback;
    }
    return scope.resolve(value);
  }
}

export class ParseJSON extends YamlTag {
  constructor(readonly raw: unknown) {
    super();
  }

  async resolve(scope: TagScope) {
    const raw = await scope.resolve(this.raw);
    try {
      return JSON.parse(String(raw));
    } catch (err) {
      return scope.fail(`ParseJSON: ${(err as Error).message}`);
    }
  }
}

export class Format extends YamlTag {
  constructor(readonly args: Args) {
    super();
  }

  async resolve(scope: TagScope) {
    const [format, ...rest] = this.args;
    const values: unknown[] = [];
    for (const arg of rest) values.push(await scope.resolve(arg));
    try {
      return percentFormat(String(await scope.resolve(format)), values);
    } catch (err) {
      if (err instanceof PythonTypeError) return scope.fail(`Format: ${err.message}`);
      throw err;
    }
  }
}

export class Find extends YamlTag {
  constructor(readonly args: Args) {
    super();
  }

  protected async instance(scope: TagScope) {
    const [model, ...pairs] = this.args;
    const modelName = String(await scope.resolve(model));
    const conditions: [string, unknown][] = [];
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2) scope.fail(`${this.constructor.name}: each condition must be a [field, value] pair`);
      const [field, value] = pair as unknown[];
      conditions.push([String(await scope.resolve(field)), await scope.resolve(value)]);
    }
    return scope.find(modelName, conditions);
  }

  async resolve(scope: TagScope): Promise<unknown> {
    return (await this.instance(scope))?.pk ?? null;
  }
}

export class FindObject extends Find {
  async resolve(scope: TagScope): Promise<unknown> {
    const found = await this.instance(scope);
    return found ? found.serialize() : null;
  }
}

const COMPARATORS: Record<string, (args: boolean[]) => boolean> = {
  AND: (args) => args.every(Boolean),
  NAND: (args) => !args.every(Boolean),
  OR: (args) => args.some(Boolean),
  NOR: (args) => !args.some(Boolean),
  XOR: (args) => args.reduce((a, b) => a !== b),
  XNOR: (args) => !args.reduce((a, b) => a !== b),
};

export class Condition extends YamlTag {
  constructor(readonly args: Args) {
    super();
  }

  async resolve(scope: TagScope) {
    const [mode, ...rest] = this.args;
    const values: boolean[] = [];
    for (const arg of rest) values.push(truthy(await scope.resolve(arg)));
    if (!values.length) scope.fail('At least one value is required after mode selection.');
    const comparator = COMPARATORS[String(await scope.resolve(mode)).toUpperCase()];
    if (!comparator) scope.fail(`Condition: invalid mode ${pyStr(mode)} (one of ${Object.keys(COMPARATORS).join(', ')})`);
    return comparator(values);
  }
}

export class If extends YamlTag {
  constructor(readonly args: Args) {
    super();
  }

  async resolve(scope: TagScope) {
    const [condition, whenTrue = true, whenFalse = false] = this.args.length === 1 ? [this.args[0], true, false] : this.args;
    return scope.resolve(truthy(await scope.resolve(condition)) ? whenTrue : whenFalse);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof YamlTag);
}

/** deepmerge's `always_merger`: maps merge recursively, lists append, anything else replaces. */
export function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isMapping(current) && isMapping(value)) deepMerge(current, value);
    else if (Array.isArray(current) && Array.isArray(value)) target[key] = [...current, ...value];
    else target[key] = value;
  }
  return target;
}

export class Enumerate extends YamlTag {
  /** The item being iterated: [index or key, value]; empty outside iteration. */
  current: [unknown, unknown] | [] = [];

  constructor(readonly args: Args) {
    super();
  }

  async resolve(scope: TagScope) {
    const [iterableArg, outputArg, body] = this.args;
    if (iterableArg instanceof EnumeratedItem && iterableArg.depth === 0) {
      scope.fail("Enumerate tag's iterable references this tag's context. This is a noop. Check you are setting depth bigger than 0.");
    }
    const iterable = await scope.resolve(iterableArg);
    let items: [unknown, unknown][];
    if (Array.isArray(iterable)) items = iterable.map((v, i) => [i, v]);
    else if (typeof iterable === 'string') items = [...iterable].map((v, i) => [i, v]);
    else if (isMapping(iterable)) items = Object.entries(iterable);
    else return scope.fail("Enumerate's iterable must be an iterable such as a sequence or a mapping");
    const output = String(await scope.resolve(outputArg)).toUpperCase();
    if (output !== 'SEQ' && output !== 'MAP') return scope.fail(`Enumerate: invalid output type ${pyStr(outputArg)} (SEQ or MAP)`);
    const sequence: unknown[] = [];
    const mapping: Record<string, unknown> = {};
    try {
      for (const item of items) {
        this.current = item;
        const resolved = await scope.resolve(body);
        if (output === 'SEQ') sequence.push(resolved);
        else if (Array.isArray(resolved) && resolved.length >= 2) deepMerge(mapping, { [String(resolved[0])]: resolved[1] });
        else if (isMapping(resolved)) deepMerge(mapping, resolved);
        else scope.fail(`Invalid Enumerate item found: ${pyStr(resolved)}`);
      }
    } finally {
      this.current = [];
    }
    return output === 'SEQ' ? sequence : mapping;
  }
}

export abstract class EnumeratedItem extends YamlTag {
  readonly depth: number;

  constructor(raw: unknown) {
    super();
    this.depth = Number(raw);
  }

  protected context(scope: TagScope): [unknown, unknown] | [] {
    const name = this.constructor.name;
    if (!Number.isInteger(this.depth) || this.depth < 0) scope.fail(`${name} tag: depth must be a positive number or zero`);
    const stack = scope.enumerations;
    const tag = stack[stack.length - 1 - this.depth];
    if (!tag) {
      if (this.depth === 0) scope.fail(`${name} tags are only usable inside an Enumerate tag`);
      scope.fail(`${name} tag: invalid depth: ${this.depth}. Max depth: ${stack.length - 1}`);
    }
    return tag.current;
  }
}

export class Index extends EnumeratedItem {
  async resolve(scope: TagScope) {
    const context = this.context(scope);
    if (!context.length) scope.fail('Index tag: empty/invalid context');
    return context[0];
  }
}

export class Value extends EnumeratedItem {
  async resolve(scope: TagScope) {
    const context = this.context(scope);
    if (!context.length) scope.fail('Value tag: empty/invalid context');
    return context[1];
  }
}

const UNSET = Symbol('unset');

export class AtIndex extends YamlTag {
  constructor(readonly args: Args) {
    super();
  }

  async resolve(scope: TagScope) {
    const obj = await scope.resolve(this.args[0]);
    const attribute = await scope.resolve(this.args[1]);
    const fallback = this.args.length > 2 ? this.args[2] : UNSET;
    const orDefault = async (message: string) => (fallback === UNSET ? scope.fail(message) : scope.resolve(fallback));
    if (Array.isArray(obj) || typeof obj === 'string') {
      if (typeof attribute !== 'number' || !Number.isInteger(attribute)) return scope.fail(`Invalid index for list: ${pyStr(attribute)}`);
      const index = attribute < 0 ? obj.length + attribute : attribute;
      if (index < 0 || index >= obj.length) return orDefault(`Index out of range: ${attribute}`);
      return obj[index];
    }
    if (isMapping(obj)) {
      const key = String(attribute);
      if (Object.hasOwn(obj, key)) return obj[key];
      return orDefault(`Key does not exist: ${pyStr(attribute)}`);
    }
    return scope.fail(`AtIndex: cannot index ${pyStr(obj)}`);
  }
}

export { isMapping };
