/**
 * A parser for Xen's `xl.cfg` syntax, as xl.cfg(5) documents it:
 *
 *   - a file is `KEY = VALUE` settings separated by newlines or `;`; blank settings are allowed;
 *   - `#` starts a comment that runs to the end of the line (outside strings);
 *   - KEY is `[A-Za-z_][A-Za-z0-9_]*`;
 *   - VALUE is a NUMBER (decimal, octal with a leading `0`, hex with `0x`), a STRING in single
 *     quotes (taken literally) or double quotes (C escapes `\n \t \r \\ \" \' \xHH \ooo`), or a
 *     LIST `[ VALUE, VALUE, … ]` of values, nested to any depth, that may span lines and end
 *     with a trailing comma.
 *
 * npm has no xl.cfg parser; libxl's own is a flex/bison grammar (tools/libs/util/libxlu_cfg_*),
 * which this follows. Errors name the line and what was expected there.
 */

/** A value of an xl.cfg setting. */
export type XlValue = number | string | readonly XlValue[];

/** One `KEY = VALUE` setting and the line it starts on. */
export interface XlSetting {
  readonly key: string;
  readonly value: XlValue;
  readonly line: number;
}

/** A syntax error: the 1-based line and what the parser expected there. */
export class XlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly expected: string,
  ) {
    super(`line ${line}: ${expected}`);
    this.name = 'XlSyntaxError';
  }
}

const KEY_START = /[A-Za-z_]/;
const KEY_CHAR = /[A-Za-z0-9_]/;
const NUMBER_CHAR = /[0-9A-Za-z]/;

/** Parses xl.cfg text into its settings, in file order (a repeated key keeps both; the last wins for readers). */
export function parseXlConfig(text: string): XlSetting[] {
  let pos = 0;
  let line = 1;
  const settings: XlSetting[] = [];

  const peek = (): string => text[pos] ?? '';
  const fail = (expected: string): never => {
    throw new XlSyntaxError(line, expected);
  };
  const describe = (c: string): string => (c === '' ? 'end of file' : c === '\n' ? 'end of line' : `'${c}'`);

  /** Skips spaces, tabs and comments; with `newlines`, newlines too (inside lists). */
  const skip = (newlines: boolean): void => {
    for (;;) {
      const c = peek();
      if (c === ' ' || c === '\t' || c === '\r') pos++;
      else if (c === '#') while (pos < text.length && text[pos] !== '\n') pos++;
      else if (c === '\n' && newlines) {
        pos++;
        line++;
      } else return;
    }
  };

  const parseNumber = (): number => {
    const start = pos;
    while (NUMBER_CHAR.test(peek())) pos++;
    const raw = text.slice(start, pos);
    if (/^0[xX][0-9a-fA-F]+$/.test(raw)) return parseInt(raw.slice(2), 16);
    if (/^0[0-7]+$/.test(raw)) return parseInt(raw.slice(1), 8);
    if (/^(0|[1-9][0-9]*)$/.test(raw)) return parseInt(raw, 10);
    return fail(`expected a decimal, octal (0…) or hex (0x…) number, got '${raw}'`);
  };

  const parseString = (): string => {
    const quote = peek();
    pos++;
    let out = '';
    for (;;) {
      const c = peek();
      if (c === '' || c === '\n') return fail(`expected a closing ${quote} before ${describe(c)}`);
      pos++;
      if (c === quote) return out;
      if (c === '\\' && quote === '"') {
        const e = peek();
        pos++;
        if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e === 'r') out += '\r';
        else if (e === 'x') {
          const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(pos))?.[0];
          if (hex === undefined) fail('expected hex digits after \\x');
          out += String.fromCharCode(parseInt(hex!, 16));
          pos += hex!.length;
        } else if (/[0-7]/.test(e)) {
          const oct = /^[0-7]{1,3}/.exec(text.slice(pos - 1))![0];
          out += String.fromCharCode(parseInt(oct, 8));
          pos += oct.length - 1;
        } else if (e === '\\' || e === '"' || e === "'") out += e;
        else fail(`expected an escape (\\n \\t \\r \\\\ \\" \\' \\xHH \\ooo) after a backslash, got ${describe(e)}`);
      } else out += c;
    }
  };

  const parseValue = (depth: number): XlValue => {
    const c = peek();
    if (c === '"' || c === "'") return parseString();
    if (/[0-9]/.test(c)) return parseNumber();
    if (c === '[') {
      if (depth > 64) fail('lists nested at most 64 deep');
      const opened = line;
      pos++;
      const items: XlValue[] = [];
      for (;;) {
        skip(true);
        if (peek() === ']') {
          pos++;
          return items;
        }
        items.push(parseValue(depth + 1));
        skip(true);
        const sep = peek();
        if (sep === ',') pos++;
        else if (sep === ']') {
          pos++;
          return items;
        } else fail(`expected ',' or ']' in the list opened on line ${opened}, got ${describe(sep)}`);
      }
    }
    return fail(`expected a value (a number, a quoted string or a [list]), got ${describe(c)}`);
  };

  for (;;) {
    skip(false);
    const c = peek();
    if (c === '') return settings;
    if (c === '\n') {
      pos++;
      line++;
      continue;
    }
    if (c === ';') {
      pos++;
      continue;
    }
    if (!KEY_START.test(c)) fail(`expected a setting name (KEY = VALUE), got ${describe(c)}`);
    const start = pos;
    while (KEY_CHAR.test(peek())) pos++;
    const key = text.slice(start, pos);
    const keyLine = line;
    skip(false);
    if (peek() !== '=') fail(`expected '=' after '${key}', got ${describe(peek())}`);
    pos++;
    skip(false);
    const value = parseValue(0);
    settings.push({ key, value, line: keyLine });
    skip(false);
    const end = peek();
    if (end !== '' && end !== '\n' && end !== ';') fail(`expected a newline or ';' after the value of '${key}', got ${describe(end)}`);
  }
}

/** How {@link formatXlConfig} writes a file (every choice parses to the same values). */
export interface XlFormatStyle {
  /** Quote for each string: double quotes escape what needs it. */
  readonly quote?: (s: string) => '"' | "'";
  /** Base for each number. */
  readonly radix?: (n: number) => 8 | 10 | 16;
  /** Separator after each setting. */
  readonly separator?: (i: number) => '\n' | ';' | ' ;\n';
  /** Whether a list gets a trailing comma. */
  readonly trailingComma?: (list: readonly XlValue[]) => boolean;
  /** A comment after each setting, or none. */
  readonly comment?: (i: number) => string | undefined;
}

function formatString(s: string, quote: '"' | "'"): string {
  if (quote === "'" && !/['\n]/.test(s)) return `'${s}'`;
  let out = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function formatNumber(n: number, radix: 8 | 10 | 16): string {
  if (radix === 16) return '0x' + n.toString(16);
  if (radix === 8 && n > 0) return '0' + n.toString(8);
  return n.toString(10);
}

function formatValue(v: XlValue, style: XlFormatStyle): string {
  if (typeof v === 'number') return formatNumber(v, style.radix?.(v) ?? 10);
  if (typeof v === 'string') return formatString(v, style.quote?.(v) ?? '"');
  const items = v.map((x) => formatValue(x, style));
  return `[${items.join(', ')}${items.length > 0 && style.trailingComma?.(v) ? ',' : ''}]`;
}

/**
 * Writes settings as xl.cfg text that {@link parseXlConfig} reads back to the same keys and
 * values. Numbers must be non-negative safe integers (the syntax has no sign).
 */
export function formatXlConfig(settings: readonly { key: string; value: XlValue }[], style: XlFormatStyle = {}): string {
  return settings
    .map((s, i) => {
      const comment = style.comment?.(i);
      // A comment runs to the end of its line, so a commented setting ends with a newline.
      const end = comment !== undefined ? ` # ${comment.replace(/\n/g, ' ')}\n` : (style.separator?.(i) ?? '\n');
      return `${s.key} = ${formatValue(s.value, style)}${end}`;
    })
    .join('');
}
