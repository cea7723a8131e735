// jest's own test runner, one test file at a time, for the integration project: its files share one
// Docker engine, one registry and fixed ports. (jest has no per-project maxWorkers; a runner that says
// it is serial is run in band while the other projects keep their parallel workers.)
import TestRunner from 'jest-runner'

export default class SerialRunner extends TestRunner {
  isSerial = true
}
