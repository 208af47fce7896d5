/** Python's `repr` of JSON data, as authentik's f-strings render an event's context. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${quote(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  return quote(String(value));
}

/** Python prefers single quotes, and double quotes for a string holding a single quote and no double quote. */
function quote(text: string): string {
  const delimiter = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return `${delimiter}${delimiter === "'" ? escaped.replace(/'/g, "\\'") : escaped}${delimiter}`;
}

/** authentik's `Event.summary`: the context's `message` when it has one, else the action and the context. */
export function eventSummary(event: { action: string; context: Record<string, unknown> }): string {
  const message = event.context.message;
  if (message !== undefined) return typeof message === 'string' ? message : pythonRepr(message);
  return `${event.action}: ${pythonRepr(event.context)}`;
}
