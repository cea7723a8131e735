/**
 * What the readers (json-reader.ts, yaml-reader.ts) produce: a value plus the position of every member and
 * item, and the limits they keep so a hostile file fails fast with one clear error.
 */

export interface SourceWarning {
  message: string
  file?: string
  line?: number
  column?: number
}

export type Path = Array<string | number>
export interface Position {
  line: number
  column: number
}

export interface SourceTree {
  value: unknown
  /** Position of each path (JSON-encoded): the key of a member, the start of a list item. */
  positions: Map<string, Position>
  /** The source text of numbers and booleans, so a number where ECS wants a string keeps its spelling. */
  raw: Map<string, string>
  warnings: Array<{ message: string; position?: Position }>
}

export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly position: Position
  ) {
    super(message)
  }
}

export const pathKey = (path: Path): string => JSON.stringify(path)

/** 1-based line and column of offsets in a text. */
export function lineIndex(text: string): (offset: number) => Position {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1)
  return offset => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 }
  }
}

/**
 * Limits of the readers, far above any real task definition, so hostile files fail fast with one clear
 * error instead of hanging or overflowing the stack. RegisterTaskDefinition takes at most 64 KiB of JSON;
 * the file may hold comments, indentation and a wrapper, hence the margin.
 */
export const READER_LIMITS = {
  /** Bytes of the file. */
  size: 1024 * 1024,
  /** Nesting of objects and lists; an ECS task definition nests less than 10 levels. */
  depth: 64,
  /**
   * Values produced through YAML aliases (each item, member and scalar of an expanded alias counts). 64 KiB
   * of JSON holds at most 32 768 values (each takes 2 bytes or more: `1,`); the largest definition of the
   * corpus has ~160 values in all, a 10-container one with every field a few thousand.
   */
  aliasValues: 50_000,
  /**
   * Rough nesting the YAML pre-scan allows before the yaml library parses (it recurses, and overflows the
   * stack near 800 levels while slowing down sharply); the walker then applies `depth` exactly.
   */
  yamlScanDepth: 256
}

export const tooDeep = (limit: number): string =>
  `The document nests more than ${limit} levels of objects and lists here; a task definition nests fewer than 10`
