import { ApiError, ValidationError } from './errors.js';
import type { ModelDefinition, Json } from './model.js';

interface PgErrorLike {
  code?: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

function pgError(err: unknown): PgErrorLike | undefined {
  for (let current: unknown = err; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const code = (current as PgErrorLike).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return current as PgErrorLike;
  }
  return undefined;
}

/** The API field whose column is named `columnName`. */
function fieldForColumn(model: ModelDefinition<Json>, columnName: string): string {
  for (const [field, spec] of Object.entries(model.fields)) if (spec.column.name === columnName) return field;
  return model.uniqueFields?.[columnName] ?? columnName.replace(/_id$/, '');
}

/**
 * Turns constraint violations into DRF's 400 bodies, so a duplicate or a dangling reference reads as the
 * serializer would have said it. Anything else is rethrown as it is (and becomes a 500 without details).
 */
export function translateDatabaseError<Row extends Json>(err: unknown, model: ModelDefinition<Row>): unknown {
  if (err instanceof ApiError) return err;
  const pg = pgError(err);
  if (!pg) return err;
  const anyModel = model as unknown as ModelDefinition<Json>;
  const keyMatch = /^Key \(([^)]+)\)=\((.*)\)/.exec(pg.detail ?? '');
  const columns = keyMatch ? keyMatch[1].split(', ').map((c) => c.replace(/"/g, '')) : [];
  switch (pg.code) {
    case '23505': {
      const named = pg.constraint ? model.uniqueFields?.[pg.constraint] : undefined;
      if (named) return ValidationError.field(named, `${model.verboseName} with this ${named.replace(/_/g, ' ')} already exists.`);
      if (columns.length === 1) {
        const field = fieldForColumn(anyModel, columns[0]);
        return ValidationError.field(field, `${model.verboseName} with this ${field.replace(/_/g, ' ')} already exists.`);
      }
      const fields = columns.map((c) => fieldForColumn(anyModel, c));
      return ValidationError.nonField(`The fields ${fields.join(', ')} must make a unique set.`);
    }
    case '23503': {
      const field = columns.length === 1 ? fieldForColumn(anyModel, columns[0]) : 'non_field_errors';
      return ValidationError.field(field, `Invalid pk "${keyMatch?.[2] ?? ''}" - object does not exist.`);
    }
    case '23502':
      return ValidationError.field(pg.column ? fieldForColumn(anyModel, pg.column) : 'non_field_errors', 'This field may not be null.');
    case '22001':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return ValidationError.nonField('Invalid value.');
    default:
      return err;
  }
}
