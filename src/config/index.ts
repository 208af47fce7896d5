import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * Process settings, read as authentik reads them: `AUTHENTIK_POSTGRESQL__HOST` → `postgresql.host`,
 * optionally from a YAML file named by `AUTHENTIK_CONFIG`. Every default lives here.
 */
export interface Config {
  /** Where the embedded database, the generated secret key and the lock file live. */
  data_dir: string;
  /** Signs sessions and derives keys; generated once in embedded mode, required with a server database. */
  secret_key: string;
  listen: { http: string; https: string; ldap: string; radius: string; metrics: string; trusted_proxy_cidrs: string[] };
  postgresql: { host: string; port: number; name: string; user: string; password: string; pool_size: number; sslmode: string };
  bootstrap: { password: string; token: string; email: string };
  log_level: string;
  /** Largest request body accepted, in bytes. */
  body_limit: number;
  cookie_domain: string;
  disable_update_check: boolean;
  avatars: string;
  default_user_change_name: boolean;
  default_user_change_email: boolean;
  default_user_change_username: boolean;
  default_token_length: number;
  impersonation: boolean;
  footer_links: unknown[];
  blueprints_dir: string;
  debug: boolean;
  /** Set by a build (`AUTHENTIK_BUILD_HASH`); else the admin API reads the checkout's commit. */
  build_hash: string;
  /** The web UI's Sentry client. authentik's default DSN is its own project: here none unless configured. */
  error_reporting: { enabled: boolean; sentry_dsn: string; environment: string; send_pii: boolean; sample_rate: number };
  /** Seconds cached objects live, per kind. */
  cache: { timeout: number; timeout_flows: number; timeout_policies: number; timeout_reputation: number };
  /** Uploaded media (icons, backgrounds): empty means `<data_dir>/media`. */
  paths: { media: string };
  /** Seconds a reputation score lives after its last change. */
  reputation: { expiry: number };
  /** Base URL of the Pwned Passwords k-anonymity range API (tests and air-gapped sites point it elsewhere). */
  policies: { hibp_url: string };
  /**
   * The Python sandbox: `idle_timeout` seconds without an evaluation stop its process (0 keeps it running);
   * `preload` loads it once the server listens instead of on the first expression.
   */
  expressions: { idle_timeout: number; preload: boolean };
  /**
   * The SMTP server email stages with `use_global_settings` send through (`timeout` in seconds, `from` the sender,
   * which may carry a display name), and the folder of custom email templates offered beside the built-in ones.
   */
  email: {
    host: string; port: number; username: string; password: string; use_tls: boolean; use_ssl: boolean; timeout: number; from: string;
    template_dir: string;
  };
}

const DEFAULTS: Config = {
  data_dir: './data',
  secret_key: '',
  listen: {
    http: '0.0.0.0:9000',
    https: '0.0.0.0:9443',
    ldap: '0.0.0.0:3389',
    radius: '0.0.0.0:1812',
    metrics: '0.0.0.0:9300',
    trusted_proxy_cidrs: ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fe80::/10', '::1/128'],
  },
  postgresql: { host: '', port: 5432, name: 'authentik', user: 'authentik', password: '', pool_size: 10, sslmode: 'prefer' },
  bootstrap: { password: '', token: '', email: 'root@localhost' },
  log_level: 'info',
  body_limit: 1024 * 1024,
  cookie_domain: '',
  disable_update_check: true,
  avatars: 'gravatar,initials',
  default_user_change_name: true,
  default_user_change_email: false,
  default_user_change_username: false,
  default_token_length: 60,
  impersonation: true,
  footer_links: [],
  blueprints_dir: './blueprints',
  debug: false,
  build_hash: '',
  error_reporting: { enabled: false, sentry_dsn: '', environment: 'customer', send_pii: false, sample_rate: 0.1 },
  cache: { timeout: 300, timeout_flows: 300, timeout_policies: 300, timeout_reputation: 300 },
  paths: { media: '' },
  reputation: { expiry: 86400 },
  policies: { hibp_url: 'https://api.pwnedpasswords.com/range/' },
  expressions: { idle_timeout: 300, preload: false },
  email: {
    host: 'localhost', port: 25, username: '', password: '', use_tls: false, use_ssl: false, timeout: 10, from: 'authentik@localhost',
    template_dir: '/templates',
  },
};

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Coerces an env string to the type of the default it replaces. */
function coerce(raw: string, like: unknown): unknown {
  if (typeof like === 'number') {
    const n = Number(raw);
    if (Number.isNaN(n)) throw new Error(`expected a number, got "${raw}"`);
    return n;
  }
  if (typeof like === 'boolean') return ['true', '1', 'yes', 'on'].includes(raw.toLowerCase());
  if (Array.isArray(like)) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('[')) return JSON.parse(trimmed);
    return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
  }
  return raw;
}

function merge(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    if (isTree(value) && isTree(target[key])) merge(target[key] as Tree, value);
    else target[key] = value;
  }
}

function setPath(target: Tree, path: string[], raw: string): void {
  let node: Tree = target;
  for (const part of path.slice(0, -1)) {
    if (!isTree(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  const leaf = path[path.length - 1];
  node[leaf] = coerce(raw, node[leaf]);
}

/** Resolves `env://NAME` and `file:///path` values as authentik does. */
function resolveIndirect(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value !== 'string') return value;
  if (value.startsWith('env://')) return env[value.slice(6)] ?? '';
  if (value.startsWith('file://')) return readFileSync(value.slice(7), 'utf8').trim();
  return value;
}

function resolveAll(tree: Tree, env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(tree)) {
    if (isTree(value)) resolveAll(value, env);
    else tree[key] = resolveIndirect(value, env);
  }
}

/** authentik reads these single-underscore names straight from the environment, not via `__` nesting. */
const FLAT_ALIASES: Record<string, string[]> = {
  bootstrap_password: ['bootstrap', 'password'],
  bootstrap_token: ['bootstrap', 'token'],
  bootstrap_email: ['bootstrap', 'email'],
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = structuredClone(DEFAULTS) as unknown as Tree;
  const file = env.AUTHENTIK_CONFIG;
  if (file && existsSync(file)) {
    const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (isTree(parsed)) merge(config, parsed);
  }
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('AUTHENTIK_') || raw === undefined || name === 'AUTHENTIK_CONFIG') continue;
    const key = name.slice('AUTHENTIK_'.length).toLowerCase();
    const path = FLAT_ALIASES[key] ?? key.split('__');
    try {
      setPath(config, path, raw);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  resolveAll(config, env);
  return config as unknown as Config;
}

/** Splits `host:port` (IPv6 in brackets allowed) for `listen()`. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(value);
  if (!match) throw new Error(`invalid listen address "${value}", expected host:port`);
  return { host: match[1] || '0.0.0.0', port: Number(match[2]) };
}

export function usesEmbeddedDatabase(config: Config): boolean {
  return config.postgresql.host === '';
}

/** The folder uploaded media lives in: `paths.media`, else `<data_dir>/media`. */
export function mediaPath(config: Config): string {
  return resolve(config.paths.media || join(config.data_dir, 'media'));
}
