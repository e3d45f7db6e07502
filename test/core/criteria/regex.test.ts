import { describe, expect, it } from 'vitest'
import { compileSafeRegex, MAX_INPUT_LENGTH, RegexSyntaxError } from '../../../core/criteria/regex.ts'

/** Patterns and inputs where the answer must equal JavaScript's own RegExp. */
const AGREES_WITH_REGEXP: [string, string[], boolean?][] = [
  ['abc', ['abc', 'xabcx', 'ab', '']],
  ['^prod-', ['prod-db', 'my-prod-db', 'prod']],
  ['-db$', ['prod-db', 'prod-db2']],
  ['^(prod|staging)-[a-z0-9]+$', ['prod-db1', 'staging-x', 'dev-db1', 'prod-DB', 'prod-']],
  ['^db\\.(t2|t3|m5)\\.(micro|large)$', ['db.t3.micro', 'db.t3xmicro', 'db.r5.large']],
  ['a.c', ['abc', 'a\nc', 'ac']],
  ['\\d{4}-\\d{2}', ['2011-05', '201-05', 'x2011-05y']],
  ['^\\w+@\\w+\\.com$', ['a@b.com', 'a b@c.com']],
  ['colou?r', ['color', 'colour', 'colouur']],
  ['x{2,3}', ['x', 'xx', 'xxxx']],
  ['^x{2,}$', ['x', 'xx', 'xxxxx']],
  ['^x{0}$', ['', 'x']],
  ['[^a-c]', ['abc', 'abcd']],
  ['[\\d.-]+', ['1.2-3', 'abc']],
  ['\\bdb\\b', ['my db here', 'mydb']],
  ['\\Bdb', ['mydb', 'db']],
  ['(?:ab)+$', ['abab', 'aba']],
  ['(?<env>prod)', ['prod']],
  ['[]', ['anything', '']],
  ['a|', ['b', '']],
  ['\\x41\\u0042', ['AB', 'ab']],
  ['PROD', ['prod', 'PrOd', 'x'], true],
  ['[a-c]+$', ['ABC', 'xyz'], true],
  ['\\s', ['a b', 'ab', 'a\u00a0b']],
  ['a{', ['a{', 'a']],
  ['.*', ['']],
  ['(a*)*b', ['aaab', 'aaa']],
  ['(a|ab)(c|bcd)(d*)', ['abcd', 'abc']],
  ['\\cA\\cj', ['\u0001\n', 'cAcj', '\u0001']],
  ['[\\cI-\\cJ]', ['\t', '\n', 'x']],
]

describe('safe regex: results', () => {
  for (const [pattern, inputs, ignoreCase] of AGREES_WITH_REGEXP) {
    it(`/${pattern}/${ignoreCase ? 'i' : ''} agrees with RegExp`, () => {
      const safe = compileSafeRegex(pattern, { ignoreCase: ignoreCase ?? false })
      const native = new RegExp(pattern, ignoreCase ? 'i' : '')
      for (const input of inputs) expect([input, safe.test(input)]).toEqual([input, native.test(input)])
    })
  }
})

describe('safe regex: cannot hang', () => {
  // Each of these makes a backtracking engine run for years on the input below. The test only
  // needs to finish: a backtracking implementation would never reach the expectation.
  const evil: [string, boolean][] = [
    ['(a+)+$', false],
    ['(a|a)*$', true],
    ['(a|aa)+$', false],
    ['(.*a){20}$', false],
    ['\\d*\\d*\\d*\\d*\\d*$', true],
    ['^(\\w+\\s?)*$', false],
    ['(x+x+)+y', false],
  ]
  const input = `${'a'.repeat(30_000)}${'1'.repeat(30)} x!`
  for (const [pattern, answer] of evil) {
    it(`/${pattern}/ answers at once on a hostile input`, () => {
      expect(compileSafeRegex(pattern).test(input)).toBe(answer)
      // The same answer RegExp gives where backtracking is still cheap.
      const small = `${'a'.repeat(12)}${'1'.repeat(3)} x!`
      expect(compileSafeRegex(pattern).test(small)).toBe(new RegExp(pattern).test(small))
    })
  }

  it('is unknown (undefined) for an input over the length limit', () => {
    expect(compileSafeRegex('a').test('a'.repeat(MAX_INPUT_LENGTH + 1))).toBeUndefined()
    expect(compileSafeRegex('a').test('a'.repeat(MAX_INPUT_LENGTH))).toBe(true)
  })
})

describe('safe regex: leading (?i)', () => {
  it('reads (?i) at the very start as a case-insensitive pattern', () => {
    const regex = compileSafeRegex('(?i)^prod-[a-z]+$')
    expect(regex.ignoreCase).toBe(true)
    expect(regex.test('PROD-Db')).toBe(true)
    expect(regex.test('dev-db')).toBe(false)
  })

  it('names the position in the pattern as written', () => {
    expect(() => compileSafeRegex('(?i)ab)')).toThrow(/\/\(\?i\)ab\)\/: unmatched "\)" at position 6/)
  })
})

describe('safe regex: work budget', () => {
  // The reviewer's pattern: every position keeps about a thousand states alive.
  const heavy = '[ab]*a[ab]{998}c'
  const value = 'ab'.repeat(32_768) // 64 KB

  it('counts steps against the budget and stops with no answer when it runs out', () => {
    const regex = compileSafeRegex(heavy)
    const budget = { steps: 1_000_000 }
    expect(regex.test(value, budget)).toBeUndefined()
    expect(budget.steps).toBeLessThanOrEqual(0)
    // A run overshoots by at most one character's work: a few times the program size.
    expect(budget.steps).toBeGreaterThan(-4 * regex.size)
    // Once spent, the budget answers nothing more, even for a tiny value.
    expect(regex.test('abc', budget)).toBeUndefined()
  })

  it('takes from the budget what a run used and answers as without one', () => {
    const regex = compileSafeRegex('^prod-')
    const budget = { steps: 1_000 }
    expect(regex.test('prod-db', budget)).toBe(true)
    const left = budget.steps
    expect(left).toBeLessThan(1_000)
    expect(left).toBeGreaterThan(900)
    expect(regex.test('dev-db', budget)).toBe(false)
    expect(budget.steps).toBeLessThan(left)
  })

  it('spends about value length x live states', () => {
    const budget = { steps: Number.MAX_SAFE_INTEGER }
    compileSafeRegex(heavy).test('ab'.repeat(500), budget)
    const used = Number.MAX_SAFE_INTEGER - budget.steps
    expect(used).toBeGreaterThan(1_000 * 500)
    expect(used).toBeLessThan(1_000 * 1_000 * 4)
  })
})

describe('safe regex: rejected syntax', () => {
  const rejected: [string, RegExp][] = [
    ['(a)\\1', /backreferences/],
    ['(?<x>a)\\k<x>', /backreferences/],
    ['(?=a)', /lookahead and lookbehind/],
    ['(?!a)', /lookahead and lookbehind/],
    ['(?<=a)b', /lookahead and lookbehind/],
    ['(?<!a)b', /lookahead and lookbehind/],
    ['(ab', /missing "\)"/],
    ['ab)', /unmatched "\)"/],
    ['[ab', /missing "\]"/],
    ['*a', /nothing to repeat/],
    ['^*', /nothing to repeat/],
    ['a{3,2}', /out of order/],
    ['a{5000}', /repetition count/],
    ['[z-a]', /out of order/],
    ['\\', /at end of pattern/],
    ['((a{1000}){1000})', /repetition count|too large/],
    ['(a{999}){999}', /too large/],
    ['x'.repeat(1001), /longer than/],
    ['a(?i)b', /inline flags .* put \(\?i\) at the very start/],
    ['(?i:ab)', /inline flags/],
    ['(?s).', /inline flags/],
    ['(?i)(?m)a', /inline flags/],
    ['(?#x)', /unknown group syntax/],
    ['\\c', /"\\c" must be followed by a letter/],
    ['\\c1', /"\\c" must be followed by a letter/],
  ]
  for (const [pattern, message] of rejected) {
    it(`rejects ${pattern.length > 20 ? `${pattern.slice(0, 20)}...` : pattern}`, () => {
      expect(() => compileSafeRegex(pattern)).toThrow(RegexSyntaxError)
      expect(() => compileSafeRegex(pattern)).toThrow(message)
    })
  }
})
