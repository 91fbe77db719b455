import test from 'ava';
import { parseXlConfig, XlSyntaxError } from '../../src/inputs/xl-config.js';

const cases: [string, number, RegExp][] = [
  ['name = "a"\nmemory 512\n', 2, /expected '=' after 'memory'/],
  ['memory = 08\n', 1, /expected a decimal, octal .* number, got '08'/],
  ['memory = 12abc\n', 1, /got '12abc'/],
  ['name = "unterminated\nvcpus = 1\n', 1, /expected a closing "/],
  ["name = 'a' 'b'\n", 1, /expected a newline or ';' after the value of 'name'/],
  ['vcpus = [1, 2\n\n', 3, /expected ',' or ']' in the list opened on line 1/],
  ['disk = [,]\n', 1, /expected a value/],
  ['= 5\n', 1, /expected a setting name/],
  ['a = 1\n\n\nb = -1\n', 4, /expected a value .* got '-'/],
  ['s = "bad \\q escape"\n', 1, /expected an escape/],
  ['v = \n', 1, /expected a value .* got end of line/],
];

for (const [text, line, expected] of cases) {
  test(`a malformed config is refused at the line where it goes wrong: ${JSON.stringify(text)}`, (t) => {
    const e = t.throws(() => parseXlConfig(text), { instanceOf: XlSyntaxError });
    t.is(e.line, line);
    t.regex(e.expected, expected);
  });
}
