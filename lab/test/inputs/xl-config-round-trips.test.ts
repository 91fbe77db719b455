import test from 'ava';
import fc from 'fast-check';
import { formatXlConfig, parseXlConfig, type XlValue } from '../../src/inputs/xl-config.js';

const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
// Any text without a newline in single quotes; anything at all (escaped) in double quotes.
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', "'", '\\', '#', ';', ',', '[', ']', '=', ' ', '\t', '\n', '\x01'),
    fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  ),
  maxLength: 20,
});
const { value } = fc.letrec<{ value: XlValue }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.nat({ max: Number.MAX_SAFE_INTEGER }), text, fc.array(tie('value'), { maxLength: 4 })),
}));
const settings = fc.array(fc.record({ key, value }), { maxLength: 8 });

const style = fc.record({
  quotes: fc.array(fc.constantFrom<'"' | "'">('"', "'"), { minLength: 1 }),
  radixes: fc.array(fc.constantFrom<8 | 10 | 16>(8, 10, 16), { minLength: 1 }),
  separators: fc.array(fc.constantFrom<'\n' | ';' | ' ;\n'>('\n', ';', ' ;\n'), { minLength: 1 }),
  trailing: fc.boolean(),
  comments: fc.array(fc.option(fc.string({ maxLength: 12 })), { minLength: 1 }),
});

test('any config, written in any of the documented styles, parses back to the same settings', (t) => {
  fc.assert(
    fc.property(settings, style, (ss, st) => {
      let q = 0;
      let r = 0;
      const written = formatXlConfig(ss, {
        quote: () => st.quotes[q++ % st.quotes.length]!,
        radix: () => st.radixes[r++ % st.radixes.length]!,
        separator: (i) => st.separators[i % st.separators.length]!,
        trailingComma: () => st.trailing,
        comment: (i) => st.comments[i % st.comments.length] ?? undefined,
      });
      const parsed = parseXlConfig(written);
      t.deepEqual(
        parsed.map((s) => ({ key: s.key, value: s.value })),
        ss,
        written,
      );
    }),
  );
});

test('settings keep the line they start on, across comments, semicolons and multi-line lists', (t) => {
  const parsed = parseXlConfig(['# header', 'name = "a"; memory = 512', '', 'disk = [', "  'x', # first", "  'y',", ']', "vif = [ 'mac=1' ]"].join('\n'));
  t.deepEqual(
    parsed.map((s) => [s.key, s.line]),
    [
      ['name', 2],
      ['memory', 2],
      ['disk', 4],
      ['vif', 8],
    ],
  );
  t.deepEqual(parsed[2]!.value, ['x', 'y']);
});

test('numbers are read in decimal, octal and hex; strings keep their escapes', (t) => {
  const parsed = parseXlConfig('a = 10\nb = 010\nc = 0x1F\nd = 0\ne = "t\\tab\\x41\\101\\"q"\nf = \'raw \\n\'');
  t.deepEqual(
    parsed.map((s) => s.value),
    [10, 8, 31, 0, 't\tabAA"q', 'raw \\n'],
  );
});
