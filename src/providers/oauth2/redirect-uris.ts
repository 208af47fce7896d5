import type { RedirectUri } from './table.js';

/**
 * A regular expression as authentik's `re.fullmatch` reads it, compiled once. Python's syntax is close enough to
 * JavaScript's for URL patterns; a pattern JavaScript cannot compile is refused when saved and never matches.
 */
const compiled = new Map<string, RegExp | null>();

export function compileRedirectPattern(pattern: string): RegExp | null {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      regex = null;
    }
    if (compiled.size > 1024) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/**
 * The newline-separated form of authentik 2023.10's schema, read as authentik's migration to the object form reads
 * it: every line strict, except `*` and `.*`, which match anything.
 */
export function redirectUrisFromLines(value: string): RedirectUri[] {
  return value.split('\n').map((line) => line.trim()).filter(Boolean)
    .map((url) => ({ matching_mode: url === '*' || url === '.*' ? 'regex' : 'strict', url: url === '*' ? '.*' : url }));
}

/** The schema's string form of the list: one URL or pattern per line. */
export function redirectUrisToLines(uris: RedirectUri[]): string {
  return uris.map((u) => u.url).join('\n');
}

/** Problems of the object form, by entry; empty when it is a valid list. */
export function redirectUriProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return ['Expected a list of items but got type "dict".'];
  const problems: string[] = [];
  for (const entry of value) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push('Invalid redirect URI: expected an object with matching_mode and url.');
      continue;
    }
    const { matching_mode: mode, url } = entry as Record<string, unknown>;
    if (mode !== 'strict' && mode !== 'regex') problems.push(`"${String(mode)}" is not a valid choice.`);
    else if (typeof url !== 'string' || !url) problems.push('This field may not be blank.');
    else if (mode === 'regex' && !compileRedirectPattern(url)) problems.push(`Invalid Regex Pattern: ${url}`);
  }
  return problems;
}

/** The object form as stored: only the two fields authentik keeps. */
export function cleanRedirectUris(value: unknown[]): RedirectUri[] {
  return value.map((entry) => {
    const { matching_mode: mode, url } = entry as RedirectUri;
    return { matching_mode: mode, url };
  });
}

/** Whether `uri` is one the provider allows (strict: the same string; regex: a full match). */
export function redirectUriAllowed(allowed: RedirectUri[], uri: string): boolean {
  for (const entry of allowed) {
    if (entry.matching_mode === 'strict' && entry.url === uri) return true;
    if (entry.matching_mode === 'regex' && compileRedirectPattern(entry.url)?.test(uri)) return true;
  }
  return false;
}
