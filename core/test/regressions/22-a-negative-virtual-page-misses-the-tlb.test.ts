import test from 'ava';
import { Tlb } from '../../src/memory/tlb.js';

// Found by `npm run fuzz` (#22): invalid TLB slots carry the tag -1, so a guest translating
// virtual page -1 hit a never-filled or invalidated slot, and a domain whose address-space tag
// was 0 read whatever frame that slot last held — another domain's.
test('a negative or non-integer virtual page never hits, not even an invalidated slot', (t) => {
  const tlb = new Tlb(64, 4);
  t.is(tlb.lookup(0, -1), -1, 'a fresh TLB has slots tagged -1 with address-space tag 0');
  tlb.insert(8193, 5, 4096 * 77 + 7);
  tlb.invalidate(8193, 5);
  t.is(tlb.lookup(8193, -1), -1, 'the invalidated slot still holds its value and address-space tag');
  t.is(tlb.lookup(0, Number.NaN), -1);
  tlb.insert(0, -1, 123);
  t.is(tlb.occupancy, 0, 'page -1 is never cached');
});
