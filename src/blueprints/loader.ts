import { parseDocument, type CollectionTag, type ScalarTag, type YAMLSeq } from 'yaml';
import { BlueprintInvalidError } from './errors.js';
import {
  AtIndex, Condition, Context, Enumerate, Env, File, Find, FindObject, Format, If, Index, KeyOf, ParseJSON, Value, YamlTag, isMapping,
} from './tags.js';

/** One entry as written: every field may still hold tags. */
export interface BlueprintEntry {
  /** Position in the file's entries, for error reports. */
  index: number;
  model: unknown;
  state: unknown;
  conditions: unknown[];
  identifiers: unknown;
  attrs: unknown;
  permissions: unknown[];
  id?: string;
}

export interface BlueprintMetadata {
  name: string;
  labels: Record<string, string>;
}

export interface Blueprint {
  version: number;
  metadata?: BlueprintMetadata;
  context: Record<string, unknown>;
  entries: BlueprintEntry[];
}

export const LABEL_INSTANTIATE = 'blueprints.goauthentik.io/instantiate';
export const LABEL_DESCRIPTION = 'blueprints.goauthentik.io/description';
export const LABEL_SYSTEM = 'blueprints.goauthentik.io/system';

type Construct = (value: unknown) => YamlTag;

function seqTag(tag: string, construct: Construct): CollectionTag {
  return { tag, collection: 'seq', resolve: (seq) => construct((seq as YAMLSeq).toJSON()) } as CollectionTag;
}

function scalarTag(tag: string, construct: Construct): ScalarTag {
  return { tag, resolve: (value: string) => construct(value) } as ScalarTag;
}

/** Every tag authentik's `BlueprintLoader` knows, in the node kinds it accepts them on. */
const TAGS: (ScalarTag | CollectionTag)[] = [
  scalarTag('!KeyOf', (v) => new KeyOf(String(v))),
  scalarTag('!Env', (v) => new Env(v)),
  seqTag('!Env', (v) => new Env(v)),
  scalarTag('!File', (v) => new File(v)),
  seqTag('!File', (v) => new File(v)),
  scalarTag('!Context', (v) => new Context(v)),
  seqTag('!Context', (v) => new Context(v)),
  scalarTag('!ParseJSON', (v) => new ParseJSON(v)),
  seqTag('!Format', (v) => new Format(v as unknown[])),
  seqTag('!Find', (v) => new Find(v as unknown[])),
  seqTag('!FindObject', (v) => new FindObject(v as unknown[])),
  seqTag('!Condition', (v) => new Condition(v as unknown[])),
  seqTag('!If', (v) => new If(v as unknown[])),
  seqTag('!Enumerate', (v) => new Enumerate(v as unknown[])),
  scalarTag('!Index', (v) => new Index(v)),
  scalarTag('!Value', (v) => new Value(v)),
  seqTag('!AtIndex', (v) => new AtIndex(v as unknown[])),
];

/** Parses YAML with authentik's tags; unknown tags, syntax errors and warnings are all errors. */
export function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { customTags: TAGS, uniqueKeys: false, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => ({ message: e.message.split('\n')[0] }));
  if (problems.length) throw new BlueprintInvalidError(problems);
  return doc.toJS({ maxAliasCount: 1000 });
}

function toEntry(raw: unknown, index: number): BlueprintEntry {
  const where = { entry: index };
  if (!isMapping(raw)) throw BlueprintInvalidError.of('an entry must be a mapping', where);
  if (raw.model === undefined || raw.model === null) throw BlueprintInvalidError.of('missing value for field "model"', { ...where, path: 'model' });
  const list = (name: string): unknown[] => {
    const value = raw[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw BlueprintInvalidError.of(`wrong value type for field "${name}": expected a list`, { ...where, path: name });
    return value;
  };
  const identifiers = raw.identifiers ?? {};
  if (!isMapping(identifiers) && !(identifiers instanceof YamlTag)) {
    throw BlueprintInvalidError.of('wrong value type for field "identifiers": expected a mapping', { ...where, path: 'identifiers' });
  }
  const attrs = raw.attrs ?? {};
  if (!isMapping(attrs) && !(attrs instanceof YamlTag)) {
    throw BlueprintInvalidError.of('wrong value type for field "attrs": expected a mapping', { ...where, path: 'attrs' });
  }
  if (raw.id !== undefined && raw.id !== null && typeof raw.id !== 'string') {
    throw BlueprintInvalidError.of('wrong value type for field "id": expected a string', { ...where, path: 'id' });
  }
  return {
    index,
    model: raw.model,
    state: raw.state ?? 'present',
    conditions: list('conditions'),
    identifiers,
    attrs,
    permissions: list('permissions'),
    id: (raw.id as string | undefined) ?? undefined,
  };
}

/** Reads a blueprint file's text into its structure, as authentik's `from_dict(Blueprint, …)` does. */
export function loadBlueprint(text: string): Blueprint {
  const raw = parseYaml(text);
  if (!isMapping(raw)) throw BlueprintInvalidError.of('a blueprint must be a mapping with `version` and `entries`');
  const version = raw.version ?? 1;
  if (version !== 1) throw BlueprintInvalidError.of('Invalid blueprint version');
  let metadata: BlueprintMetadata | undefined;
  if (raw.metadata !== undefined && raw.metadata !== null) {
    if (!isMapping(raw.metadata) || typeof raw.metadata.name !== 'string') {
      throw BlueprintInvalidError.of('metadata needs a `name`', { path: 'metadata.name' });
    }
    const labels = raw.metadata.labels ?? {};
    if (!isMapping(labels)) throw BlueprintInvalidError.of('metadata labels must be a mapping', { path: 'metadata.labels' });
    metadata = { name: raw.metadata.name, labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])) };
  }
  const context = raw.context ?? {};
  if (!isMapping(context)) throw BlueprintInvalidError.of('context must be a mapping', { path: 'context' });
  // Newer authentik groups entries in named sections; both forms apply in order.
  let rawEntries: unknown = raw.entries ?? [];
  if (isMapping(rawEntries)) rawEntries = Object.values(rawEntries).flatMap((section) => (Array.isArray(section) ? section : []));
  if (!Array.isArray(rawEntries)) throw BlueprintInvalidError.of('entries must be a list', { path: 'entries' });
  return { version: 1, metadata, context, entries: rawEntries.map(toEntry) };
}

/** Reads only the header of a blueprint (for discovery): version and metadata, tolerating tags it cannot resolve. */
export function readMetadata(text: string): { version: unknown; metadata?: BlueprintMetadata } | undefined {
  const raw = parseYaml(text);
  if (!isMapping(raw)) return undefined;
  const meta = raw.metadata;
  if (!isMapping(meta) || typeof meta.name !== 'string') return { version: raw.version ?? 1 };
  const labels = isMapping(meta.labels) ? Object.fromEntries(Object.entries(meta.labels).map(([k, v]) => [k, String(v)])) : {};
  return { version: raw.version ?? 1, metadata: { name: meta.name, labels } };
}
