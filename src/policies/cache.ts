import type { PolicyResult } from './types.js';

interface Entry {
  result: PolicyResult;
  expiresAt: number;
  bindingUuid: string;
}

/**
 * Cached binding results, keyed as authentik keys them: binding, session and user. It lives in this process,
 * which is what a single instance needs; several instances each keep their own for the (short) timeout.
 */
export class PolicyResultCache {
  private readonly entries = new Map<string, Entry>();

  static key(bindingUuid: string, sessionKey: string | undefined, userId: number | undefined): string {
    let key = `goauthentik.io/policies/${bindingUuid.replace(/-/g, '')}_`;
    if (sessionKey) key += `_${sessionKey}`;
    if (userId !== undefined) key += `#${userId}`;
    return key;
  }

  get(key: string): PolicyResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.result;
  }

  set(key: string, bindingUuid: string, result: PolicyResult, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    this.entries.set(key, { result, bindingUuid, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  /** Live entries (`cache_info`). */
  count(): number {
    const now = Date.now();
    let total = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
      else total += 1;
    }
    return total;
  }

  /** Drops the results of some bindings (their policy or their settings changed). */
  invalidateBindings(bindingUuids: Iterable<string>): void {
    const wanted = new Set(bindingUuids);
    if (!wanted.size) return;
    for (const [key, entry] of this.entries) if (wanted.has(entry.bindingUuid)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export const policyResultCache = new PolicyResultCache();
