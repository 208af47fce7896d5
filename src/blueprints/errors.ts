/** One problem of a blueprint: where it is (entry index, model, id, path inside the entry) and what is wrong. */
export interface BlueprintProblem {
  /** The entry's position in `entries` (0-based); absent for problems of the whole file. */
  entry?: number;
  model?: string;
  id?: string;
  /** Where inside the entry, e.g. `attrs.name`, `identifiers.slug`, `conditions.0`. */
  path?: string;
  message: string;
}

export function describeProblem(problem: BlueprintProblem): string {
  const where: string[] = [];
  if (problem.entry !== undefined) where.push(`entry ${problem.entry}`);
  if (problem.model) where.push(problem.model);
  if (problem.id) where.push(`id ${problem.id}`);
  const location = where.length ? `${where.join(', ')}: ` : '';
  return `${location}${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

/** A blueprint (or one of its entries) is invalid; carries every problem found. */
export class BlueprintInvalidError extends Error {
  constructor(readonly problems: BlueprintProblem[]) {
    super(problems.map(describeProblem).join('; '));
    this.name = 'BlueprintInvalidError';
  }

  static of(message: string, where: Omit<BlueprintProblem, 'message'> = {}): BlueprintInvalidError {
    return new BlueprintInvalidError([{ ...where, message }]);
  }
}

/** An entry failed its serializer's validation: field problems already placed. */
export class EntryValidationError extends Error {
  constructor(readonly problems: BlueprintProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'EntryValidationError';
  }
}
