import { getTableName } from 'drizzle-orm';
import type { Json, ModelDefinition } from './model.js';

/** Every model, by authentik name and by table: read by `used_by`, blueprints, RBAC and events. */
export class ModelRegistry {
  private readonly byName = new Map<string, ModelDefinition<Json>>();
  private readonly byTable = new Map<string, ModelDefinition<Json>>();

  register<Row extends Json>(model: ModelDefinition<Row>): void {
    const entry = model as unknown as ModelDefinition<Json>;
    if (this.byName.has(model.name)) throw new Error(`model ${model.name} registered twice`);
    this.byName.set(model.name, entry);
    this.byTable.set(getTableName(model.table), entry);
  }

  get(name: string): ModelDefinition<Json> | undefined {
    return this.byName.get(name);
  }

  forTable(table: string): ModelDefinition<Json> | undefined {
    return this.byTable.get(table);
  }

  all(): ModelDefinition<Json>[] {
    return [...this.byName.values()];
  }
}

export const models = new ModelRegistry();
