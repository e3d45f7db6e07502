/**
 * Regular expressions from users, matched in time linear in the input.
 *
 * JavaScript's RegExp backtracks: `(a+)+$` against forty `a`s and a `!` takes longer than the
 * universe, and one such criterion would stall every run of the process. Rejecting "dangerous"
 * patterns by looking at them is a heuristic that always misses a case (`(a|a)*`, `\d*\d*\d*$`),
 * so instead patterns are compiled to a Thompson NFA and run by simulating all states at once:
 * the work per input character is bounded by the program size, whatever the pattern. The price
 * is the features that need backtracking: backreferences and lookaround are rejected with a clear
 * message. Programs are capped in size and inputs in length, and a run counts its steps against
 * a budget the caller shares between every pattern it runs for one resource: linear is still
 * value length x program size, and twenty conditions of 1,000 steps each over a 64 KB value would
 * block the process for many seconds. A run that spends its budget stops with no answer.
 *
 * Syntax (JavaScript's, without the backtracking-only parts): literals, `.`, `^`, `$`, `\b`, `\B`,
 * classes `[a-z]`, `[^...]`, `\d \w \s \D \W \S`, escapes `\t \n \r \f \v \0 \xHH \uHHHH \cX`,
 * groups `(...)`, `(?:...)`, `(?<name>...)`, alternation `|`, quantifiers `* + ? {n} {n,} {n,m}`
 * (lazy forms accepted; for a yes/no match they mean the same), and `(?i)` at the very start for
 * a case-insensitive pattern. Matching is a search, like `RegExp.prototype.test`: anchor with
 * `^...$` to match the whole value.
 */

export class RegexSyntaxError extends Error {
  override name = 'RegexSyntaxError'
}

export const MAX_PATTERN_LENGTH = 1_000
export const MAX_PROGRAM_SIZE = 5_000
/** Longer inputs are not matched at all (the criterion is unknown for them). */
export const MAX_INPUT_LENGTH = 65_536
const MAX_REPEAT = 1_000
const INF = Number.POSITIVE_INFINITY

type CharTest = (code: number) => boolean
type Assertion = 'start' | 'end' | 'word' | 'notWord'
type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: Assertion }

// Instruction codes of the compiled program.
const CHAR = 0
const SPLIT = 1
const JUMP = 2
const ASSERT = 3
const MATCH = 4
type Instruction =
  | { op: typeof CHAR; test: CharTest }
  | { op: typeof SPLIT; x: number; y: number }
  | { op: typeof JUMP; x: number }
  | { op: typeof ASSERT; kind: Assertion }
  | { op: typeof MATCH }

/**
 * Steps a caller lets its patterns take, shared between runs: each run takes what it uses from
 * `steps`. A step is one program state visited or one character tested (about 30 ns).
 */
export interface RegexBudget {
  steps: number
}

export interface SafeRegex {
  source: string
  ignoreCase: boolean
  /** Program size: the most states one input character can cost. */
  size: number
  /**
   * Whether the pattern occurs in the text; undefined when the text is longer than
   * MAX_INPUT_LENGTH or the budget runs out first (then `budget.steps` is 0 or less).
   */
  test(text: string, budget?: RegexBudget): boolean | undefined
}

/** `(?i)` opening the pattern: the one inline flag read, as the ignoreCase option. */
const LEADING_IGNORE_CASE = '(?i)'

export function compileSafeRegex(source: string, options: { ignoreCase?: boolean } = {}): SafeRegex {
  if (source.length > MAX_PATTERN_LENGTH)
    throw new RegexSyntaxError(`regex is longer than ${MAX_PATTERN_LENGTH} characters`)
  const flagged = source.startsWith(LEADING_IGNORE_CASE)
  const ignoreCase = flagged || (options.ignoreCase ?? false)
  const body = flagged ? source.slice(LEADING_IGNORE_CASE.length) : source
  const tree = new Parser(body, ignoreCase, source).parse()
  const program = emit(tree)
  return { source, ignoreCase, size: program.length, test: (text, budget) => run(program, text, budget) }
}

// ---------------------------------------------------------------- parsing

const isWordCode = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
const isDigitCode = (c: number) => c >= 48 && c <= 57
const SPACE_CODES = new Set([
  9, 10, 11, 12, 13, 32, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
])
const isSpaceCode = (c: number) => SPACE_CODES.has(c) || (c >= 0x2000 && c <= 0x200a)
const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029

const CLASS_ESCAPES: Record<string, CharTest> = {
  d: isDigitCode,
  D: (c) => !isDigitCode(c),
  w: isWordCode,
  W: (c) => !isWordCode(c),
  s: isSpaceCode,
  S: (c) => !isSpaceCode(c),
}
const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13, '0': 0 }

function caseFold(test: CharTest): CharTest {
  return (c) => {
    if (test(c)) return true
    const ch = String.fromCharCode(c)
    const lower = ch.toLowerCase().charCodeAt(0)
    const upper = ch.toUpperCase().charCodeAt(0)
    return (lower !== c && test(lower)) || (upper !== c && test(upper))
  }
}

class Parser {
  private at = 0
  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
    /** The pattern as written, for messages (src lacks a leading `(?i)`). */
    private readonly written: string = src
  ) {}

  parse(): Node {
    const node = this.alternation()
    if (this.at < this.src.length) throw this.error(`unmatched ")"`)
    return node
  }

  private error(message: string): RegexSyntaxError {
    const at = this.at + this.written.length - this.src.length
    return new RegexSyntaxError(`regex /${this.written}/: ${message} at position ${at}`)
  }

  private peek(): string | undefined {
    return this.src[this.at]
  }

  private alternation(): Node {
    const options = [this.sequence()]
    while (this.peek() === '|') {
      this.at++
      options.push(this.sequence())
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options }
  }

  private sequence(): Node {
    const items: Node[] = []
    for (let ch = this.peek(); ch !== undefined && ch !== '|' && ch !== ')'; ch = this.peek())
      items.push(this.quantified())
    return items.length === 1 ? items[0]! : { t: 'seq', items }
  }

  private quantified(): Node {
    const atom = this.atom()
    let node = atom
    for (;;) {
      const bounds = this.quantifier()
      if (!bounds) return node
      if (atom.t === 'assert') throw this.error('nothing to repeat')
      const [min, max] = bounds
      if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT))
        throw this.error(`repetition count above ${MAX_REPEAT}`)
      if (min > max) throw this.error('numbers out of order in {} quantifier')
      if (this.peek() === '?') this.at++ // lazy: same yes/no answer
      node = { t: 'repeat', node, min, max }
    }
  }

  private quantifier(): [number, number] | undefined {
    const ch = this.peek()
    const simple = ch === '*' ? [0, INF] : ch === '+' ? [1, INF] : ch === '?' ? [0, 1] : undefined
    if (simple) {
      this.at++
      return simple as [number, number]
    }
    if (ch !== '{') return undefined
    const braces = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(this.src.slice(this.at, this.at + 16))
    if (!braces) return undefined // a lone "{" is a literal, as in JavaScript
    this.at += braces[0].length
    const min = Number(braces[1])
    const max =
      braces[2] === undefined ? min : braces[3] === '' ? Number.POSITIVE_INFINITY : Number(braces[3])
    return [min, max]
  }

  private atom(): Node {
    const ch = this.src[this.at++]!
    switch (ch) {
      case '(':
        return this.group()
      case '[':
        return this.charClass()
      case '.':
        return { t: 'char', test: (c) => !isLineTerminator(c) }
      case '^':
        return { t: 'assert', kind: 'start' }
      case '$':
        return { t: 'assert', kind: 'end' }
      case '\\':
        return this.escape()
      case '*':
      case '+':
      case '?':
        this.at--
        throw this.error('nothing to repeat')
      default:
        return this.literal(ch.charCodeAt(0))
    }
  }

  private literal(code: number): Node {
    const test: CharTest = (c) => c === code
    return { t: 'char', test: this.ignoreCase ? caseFold(test) : test }
  }

  private group(): Node {
    if (this.src.startsWith('?:', this.at)) this.at += 2
    else if (/^\?<[A-Za-z_$][\w$]*>/.test(this.src.slice(this.at, this.at + 40)))
      this.at = this.src.indexOf('>', this.at) + 1
    else if (this.peek() === '?') throw this.error(this.unsupportedGroup())
    const inner = this.alternation()
    if (this.peek() !== ')') throw this.error('missing ")"')
    this.at++
    return inner
  }

  /** Why a group opening with `(?` that is neither `(?:` nor `(?<name>` is refused. */
  private unsupportedGroup(): string {
    const rest = this.src.slice(this.at + 1, this.at + 3)
    if (/^(=|!|<=|<!)/.test(rest)) return 'lookahead and lookbehind are not supported'
    if (/^[-a-zA-Z]/.test(rest))
      return "inline flags such as (?i) or (?s) are not supported here: for a case-insensitive match put (?i) at the very start of the pattern (or set the condition's ignoreCase)"
    return 'unknown group syntax after "(?"'
  }

  private escape(): Node {
    const ch = this.src[this.at++]
    if (ch === undefined) throw this.error('"\\" at end of pattern')
    if (ch === 'b') return { t: 'assert', kind: 'word' }
    if (ch === 'B') return { t: 'assert', kind: 'notWord' }
    if (/[1-9]/.test(ch)) throw this.error('backreferences are not supported')
    if (ch === 'k' && this.peek() === '<') throw this.error('backreferences are not supported')
    const cls = CLASS_ESCAPES[ch]
    if (cls) return { t: 'char', test: cls }
    return this.literal(this.escapedCode(ch))
  }

  /** The code of an escaped character outside the class escapes (`\t`, `\x41`, `\.`). */
  private escapedCode(ch: string): number {
    const control = CONTROL_ESCAPES[ch]
    if (control !== undefined) return control
    if (ch === 'c') {
      // \cA..\cZ (either case): the control character, code 1..26, as in JavaScript.
      const letter = this.src[this.at]
      if (letter === undefined || !/^[A-Za-z]$/.test(letter))
        throw this.error('"\\c" must be followed by a letter A-Z (a control character, \\cJ is a line feed)')
      this.at++
      return letter.charCodeAt(0) % 32
    }
    const hexLength = ch === 'x' ? 2 : ch === 'u' ? 4 : 0
    if (hexLength > 0) {
      const hex = this.src.slice(this.at, this.at + hexLength)
      if (hex.length === hexLength && /^[0-9a-f]+$/i.test(hex)) {
        this.at += hexLength
        return Number.parseInt(hex, 16)
      }
    }
    return ch.charCodeAt(0)
  }

  private charClass(): Node {
    const negate = this.peek() === '^'
    if (negate) this.at++
    const ranges: number[] = []
    const tests: CharTest[] = []
    while (this.peek() !== ']') {
      if (this.peek() === undefined) throw this.error('missing "]"')
      const low = this.classAtom()
      if (typeof low !== 'number') {
        tests.push(low)
        continue
      }
      if (this.peek() === '-' && this.src[this.at + 1] !== ']' && this.src[this.at + 1] !== undefined) {
        this.at++
        const high = this.classAtom()
        if (typeof high !== 'number') throw this.error('a class escape cannot end a range')
        if (high < low) throw this.error('range out of order in character class')
        ranges.push(low, high)
      } else ranges.push(low, low)
    }
    this.at++
    const inClass: CharTest = (c) => {
      for (let i = 0; i < ranges.length; i += 2) if (c >= ranges[i]! && c <= ranges[i + 1]!) return true
      for (const test of tests) if (test(c)) return true
      return false
    }
    const folded = this.ignoreCase ? caseFold(inClass) : inClass
    return { t: 'char', test: negate ? (c) => !folded(c) : folded }
  }

  private classAtom(): number | CharTest {
    const ch = this.src[this.at++]!
    if (ch !== '\\') return ch.charCodeAt(0)
    const next = this.src[this.at++]
    if (next === undefined) throw this.error('"\\" at end of pattern')
    if (next === 'b') return 8 // backspace inside a class, as in JavaScript
    return CLASS_ESCAPES[next] ?? this.escapedCode(next)
  }
}

// ---------------------------------------------------------------- compiling

function emit(tree: Node): Instruction[] {
  const program: Instruction[] = []
  const push = (instruction: Instruction) => {
    if (program.length >= MAX_PROGRAM_SIZE)
      throw new RegexSyntaxError(
        `regex is too large once its repetitions are expanded (over ${MAX_PROGRAM_SIZE} steps)`
      )
    program.push(instruction)
    return program.length - 1
  }
  const gen = (node: Node): void => {
    switch (node.t) {
      case 'char':
        push({ op: CHAR, test: node.test })
        return
      case 'assert':
        push({ op: ASSERT, kind: node.kind })
        return
      case 'seq':
        for (const item of node.items) gen(item)
        return
      case 'alt': {
        const jumps: number[] = []
        node.options.forEach((option, i) => {
          if (i < node.options.length - 1) {
            const split = push({ op: SPLIT, x: 0, y: 0 })
            ;(program[split] as { x: number }).x = split + 1
            gen(option)
            jumps.push(push({ op: JUMP, x: 0 }))
            ;(program[split] as { y: number }).y = program.length
          } else gen(option)
        })
        for (const jump of jumps) (program[jump] as { x: number }).x = program.length
        return
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) gen(node.node)
        if (node.max === Number.POSITIVE_INFINITY) {
          const split = push({ op: SPLIT, x: 0, y: 0 })
          gen(node.node)
          push({ op: JUMP, x: split })
          program[split] = { op: SPLIT, x: split + 1, y: program.length }
          return
        }
        const splits: number[] = []
        for (let i = node.min; i < node.max; i++) {
          splits.push(push({ op: SPLIT, x: 0, y: 0 }))
          gen(node.node)
        }
        for (const split of splits) program[split] = { op: SPLIT, x: split + 1, y: program.length }
        return
      }
    }
  }
  gen(tree)
  push({ op: MATCH })
  return program
}

// ---------------------------------------------------------------- running

/**
 * Pike-VM style simulation without captures: every live state advances together. Steps are
 * counted as they are taken and checked once per input character (a character costs at most a
 * few times the program size, so a run overshoots its budget by that much at most).
 */
function run(program: Instruction[], text: string, budget: RegexBudget | undefined): boolean | undefined {
  if (text.length > MAX_INPUT_LENGTH) return undefined
  const limit = budget ? budget.steps : Number.POSITIVE_INFINITY
  if (limit <= 0) return undefined
  let steps = 0
  const spend = <T>(answer: T): T => {
    if (budget) budget.steps -= steps
    return answer
  }
  const size = program.length
  let current = new Int32Array(size)
  let next = new Int32Array(size)
  let currentCount = 0
  let nextCount = 0
  // seen[pc] === generation marks a state already added for this position.
  const seen = new Int32Array(size).fill(-1)
  const stack = new Int32Array(size * 2 + 2)

  const wordAt = (i: number) => i >= 0 && i < text.length && isWordCode(text.charCodeAt(i))
  const holds = (kind: Assertion, i: number): boolean => {
    switch (kind) {
      case 'start':
        return i === 0
      case 'end':
        return i === text.length
      case 'word':
        return wordAt(i - 1) !== wordAt(i)
      case 'notWord':
        return wordAt(i - 1) === wordAt(i)
    }
  }
  /** Add `pc` and every state reachable from it without reading input; true when Match is reached. */
  const add = (list: Int32Array, count: number, pc: number, i: number, generation: number) => {
    let top = 0
    stack[top++] = pc
    while (top > 0) {
      const at = stack[--top]!
      steps++
      if (seen[at] === generation) continue
      seen[at] = generation
      const ins = program[at]!
      switch (ins.op) {
        case JUMP:
          stack[top++] = ins.x
          break
        case SPLIT:
          stack[top++] = ins.y
          stack[top++] = ins.x
          break
        case ASSERT:
          if (holds(ins.kind, i)) stack[top++] = at + 1
          break
        case MATCH:
          return -1
        case CHAR:
          list[count++] = at
          break
      }
    }
    return count
  }

  for (let i = 0; i <= text.length; i++) {
    // A search: a new thread starts at every position (generation i keeps states unique per position).
    currentCount = add(current, currentCount, 0, i, i)
    if (currentCount < 0) return spend(true)
    if (steps > limit) return spend(undefined)
    if (i === text.length) break
    const code = text.charCodeAt(i)
    nextCount = 0
    steps += currentCount
    for (let k = 0; k < currentCount; k++) {
      const pc = current[k]!
      const ins = program[pc] as { op: typeof CHAR; test: CharTest }
      if (ins.test(code)) {
        nextCount = add(next, nextCount, pc + 1, i + 1, i + 1)
        if (nextCount < 0) return spend(true)
      }
    }
    ;[current, next] = [next, current]
    currentCount = nextCount
  }
  return spend(false)
}
