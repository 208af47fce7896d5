/**
 * The API's errors, typed once. They are thrown anywhere and rendered only by the error handler in
 * `server.ts`, in DRF's shapes: 400 `{field: [messages]}`, 403/404/405 `{detail}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.detail === 'string' ? body.detail : `API error ${status}`);
  }
}

export type FieldErrors = Record<string, unknown>;

export class ValidationError extends ApiError {
  constructor(readonly fields: FieldErrors) {
    super(400, fields);
  }

  static field(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }

  static nonField(message: string): ValidationError {
    return new ValidationError({ non_field_errors: [message] });
  }
}

export class NotAuthenticated extends ApiError {
  constructor(detail = 'Authentication credentials were not provided.') {
    super(403, { detail });
  }
}

export class PermissionDenied extends ApiError {
  constructor(detail = 'You do not have permission to perform this action.') {
    super(403, { detail });
  }
}

export class NotFound extends ApiError {
  constructor(detail = 'Not found.') {
    super(404, { detail });
  }
}

export class MethodNotAllowed extends ApiError {
  constructor(method: string) {
    super(405, { detail: `Method "${method}" not allowed.` });
  }
}

/** Collects field errors so a serializer can report every problem at once, as DRF does. */
export class ErrorCollector {
  private readonly errors: Record<string, string[]> = {};

  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ValidationError(this.errors);
  }
}
