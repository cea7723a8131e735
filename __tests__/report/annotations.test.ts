import { beforeEach, expect, it, jest } from '@jest/globals'

const core = { warning: jest.fn(), info: jest.fn(), error: jest.fn() }
jest.unstable_mockModule('@actions/core', () => core)
const { flushWarnings, warning } = await import('../../src/report/annotations.js')

beforeEach(() => {
  jest.clearAllMocks()
  flushWarnings()
  jest.clearAllMocks()
})

it.each([
  { given: 0, annotations: 0, more: undefined },
  { given: 9, annotations: 9, more: undefined },
  { given: 10, annotations: 10, more: '…and 1 more warning, see the log' },
  { given: 40, annotations: 10, more: '…and 31 more warnings, see the log' }
])('$given warnings → $annotations warning annotations in the step', ({ given, annotations, more }) => {
  for (let i = 0; i < given; i++) warning(`w${i}`, { title: 'Task definition' })
  flushWarnings()
  const messages = core.warning.mock.calls.map(c => String(c[0]))
  expect(messages).toHaveLength(annotations)
  expect(messages.slice(0, Math.min(given, 9))).toEqual(
    Array.from({ length: Math.min(given, 9) }, (_, i) => `w${i}`)
  )
  if (more) expect(messages.at(-1)).toBe(more)
  // Those beyond the limit are in the log, through the gate.
  expect(core.info).toHaveBeenCalledTimes(Math.max(0, given - 9))
})

it('a warning from outside beyond the limit cannot be a command in the log', () => {
  for (let i = 0; i < 9; i++) warning('fill')
  warning('x\n::error::injected')
  const printed = core.info.mock.calls.map(c => String(c[0])).join('\n')
  expect(printed.split('\n').some(l => l.startsWith('::'))).toBe(false)
})
