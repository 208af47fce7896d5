import type { PlannedBinding } from './plan.js';

interface Entry {
  flow: string;
  bindings: PlannedBinding[];
  expires: number;
}

/**
 * Plans by flow and user, as authentik caches them (`goauthentik.io/flows/planner/<flow>#<user>`): the bindings
 * that survived planning, never the context. In-process, like the policy result cache; a change to a flow, its
 * bindings or one of its stages drops the flow's entries.
 */
export class PlanCache {
  private readonly entries = new Map<string, Entry>();

  private static key(flow: string, userId: number | null | undefined): string {
    return userId ? `${flow}#${userId}` : flow;
  }

  get(flow: string, userId: number | null | undefined): PlannedBinding[] | undefined {
    const key = PlanCache.key(flow, userId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.bindings);
  }

  set(flow: string, userId: number | null | undefined, bindings: PlannedBinding[], ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    this.entries.set(PlanCache.key(flow, userId), { flow, bindings: structuredClone(bindings), expires: Date.now() + ttlSeconds * 1000 });
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }

  countFor(flow: string): number {
    this.prune();
    let total = 0;
    for (const entry of this.entries.values()) if (entry.flow === flow) total += 1;
    return total;
  }

  count(): number {
    this.prune();
    return this.entries.size;
  }

  invalidateFlow(flow: string): void {
    for (const [key, entry] of this.entries) if (entry.flow === flow) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export const planCache = new PlanCache();
