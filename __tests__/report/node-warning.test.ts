/**
 * The log tells the story, not the SDK's: its Node-version warning (emitted once per process when a
 * client is built, on Node < 22) is not printed by the action. The jest setup disables it for every test
 * file; this one removes that before the SDK loads, as a runner's environment would not have it.
 */
import { afterAll, expect, it, jest } from '@jest/globals'

const saved = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
afterAll(() => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = saved
})

it('building the clients prints no NodeVersionSupportWarning', async () => {
  const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
  const { createClients } = await import('../../src/aws.js')
  createClients({ region: 'eu-west-1' })
  const warnings = emitWarning.mock.calls.map(c => String(c[0]))
  emitWarning.mockRestore()
  expect(warnings.filter(w => /NodeVersionSupportWarning/.test(w))).toEqual([])
})
