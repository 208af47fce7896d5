/**
 * The few Python semantics blueprint tags are defined by (authentik evaluates them in Python): truthiness,
 * `str()`/`repr()` of plain data, and `%` string formatting.
 */

export class PythonTypeError extends Error {}

/** Python's `bool(value)`: empty strings, lists and dicts, zero and None are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value).length > 0;
  return true;
}

export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value).replace(/e([+-])(\d)$/, 'e$10$2');
}

function stringRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

/** Python's `repr()` of JSON-like data. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return stringRepr(value);
  return pyStr(value);
}

/** Python's `str()` of JSON-like data. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : floatRepr(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${stringRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

const SPEC = /%(\([^)]*\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

function toNumber(value: unknown, conversion: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  throw new PythonTypeError(`%${conversion} format: a real number is required, not ${pythonTypeName(value)}`);
}

function pad(text: string, flags: string, width: number, numeric: boolean): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(text) ? text[0] : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}

function signed(text: string, negative: boolean, flags: string): string {
  if (negative) return `-${text}`;
  if (flags.includes('+')) return `+${text}`;
  if (flags.includes(' ')) return ` ${text}`;
  return text;
}

function convert(value: unknown, conversion: string, flags: string, precision: number | undefined): { text: string; numeric: boolean } {
  switch (conversion) {
    case 's':
      return { text: precision === undefined ? pyStr(value) : pyStr(value).slice(0, precision), numeric: false };
    case 'r':
    case 'a':
      return { text: precision === undefined ? pyRepr(value) : pyRepr(value).slice(0, precision), numeric: false };
    case 'c': {
      if (typeof value === 'string' && value.length === 1) return { text: value, numeric: false };
      if (typeof value === 'number' && Number.isInteger(value)) return { text: String.fromCodePoint(value), numeric: false };
      throw new PythonTypeError('%c requires int or char');
    }
    case 'd':
    case 'i':
    case 'u': {
      const n = Math.trunc(toNumber(value, conversion));
      return { text: signed(String(Math.abs(n)), n < 0, flags), numeric: true };
    }
    case 'o':
    case 'x':
    case 'X': {
      const n = toNumber(value, conversion);
      if (!Number.isInteger(n)) throw new PythonTypeError(`%${conversion} format: an integer is required, not float`);
      let digits = Math.abs(n).toString(conversion === 'o' ? 8 : 16);
      if (conversion === 'X') digits = digits.toUpperCase();
      if (flags.includes('#')) digits = (conversion === 'o' ? '0o' : conversion === 'x' ? '0x' : '0X') + digits;
      return { text: signed(digits, n < 0, flags), numeric: true };
    }
    default: {
      const n = toNumber(value, conversion);
      const digits = precision ?? 6;
      const lower = conversion.toLowerCase();
      let body: string;
      if (!Number.isFinite(n)) body = Number.isNaN(n) ? 'nan' : 'inf';
      else if (lower === 'f') body = Math.abs(n).toFixed(digits);
      else if (lower === 'e') body = Math.abs(n).toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2');
      else {
        const p = digits === 0 ? 1 : digits;
        const exponent = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
        body = exponent < -4 || exponent >= p
          ? Math.abs(n).toExponential(p - 1).replace(/e([+-])(\d)$/, 'e$10$2')
          : Math.abs(n).toFixed(Math.max(0, p - 1 - exponent));
        if (!flags.includes('#')) body = body.replace(/\.?0+(?=e|$)/, '');
      }
      if (conversion === conversion.toUpperCase()) body = body.toUpperCase();
      return { text: signed(body, n < 0 || Object.is(n, -0), flags), numeric: true };
    }
  }
}

/** Python's `format % tuple(args)`. Throws PythonTypeError where Python raises TypeError. */
export function percentFormat(format: string, args: unknown[]): string {
  let next = 0;
  const take = (): unknown => {
    if (next >= args.length) throw new PythonTypeError('not enough arguments for format string');
    return args[next++];
  };
  const result = format.replace(SPEC, (_match, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string) => {
    if (conversion === '%') return '%';
    if (key) throw new PythonTypeError('format requires a mapping');
    const w = width === '*' ? Number(toNumber(take(), 'd')) : width ? Number(width) : 0;
    const p = precision === '*' ? Number(toNumber(take(), 'd')) : precision !== undefined ? Number(precision) : undefined;
    const { text, numeric } = convert(take(), conversion, flags, p);
    return pad(text, flags, w, numeric);
  });
  if (next < args.length) throw new PythonTypeError('not all arguments converted during string formatting');
  return result;
}
