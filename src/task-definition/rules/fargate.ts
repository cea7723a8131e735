/** What the Fargate launch type requires: awsvpc, no ipcMode, one of its CPU and memory sizes. */
import { memoryMiB } from './memory.js'
import { has, jsonKind, listOf, type Obj } from './plain-json.js'
import { GUIDE, REGISTER, v, type RegisterRule } from './types.js'

/** Task CPU units: "256", 256, "1 vCPU", "0.25 vcpu". Undefined when it is not one of those. */
export function cpuUnits(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value)
  if (!m) return undefined
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1])
}

const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = []
  for (let v = from; v <= to; v += step) out.push(v)
  return out
}

/** Fargate's CPU → memory (MiB) table (developer guide, "Task CPU and memory"). */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)]
])

const requiresFargate = (input: Obj): boolean => listOf(input.requiresCompatibilities).includes('FARGATE')

export const fargateAwsvpc: RegisterRule = {
  id: 'fargate-awsvpc',
  title: 'Fargate needs awsvpc',
  doc: `${GUIDE}/fargate-task-networking.html`,
  check: input =>
    requiresFargate(input) && input.networkMode !== 'awsvpc'
      ? [
          v(
            'fargate-awsvpc',
            has(input, 'networkMode') ? ['networkMode'] : ['requiresCompatibilities'],
            'ClientException',
            'Fargate only supports network mode ‘awsvpc’.'
          )
        ]
      : []
}

export const fargateIpcMode: RegisterRule = {
  id: 'fargate-ipc-mode',
  title: 'Fargate has no ipcMode',
  doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-ipcMode`,
  check: input =>
    requiresFargate(input) && typeof input.ipcMode === 'string' && input.ipcMode !== ''
      ? [
          v(
            'fargate-ipc-mode',
            ['ipcMode'],
            'ClientException',
            'Tasks using the Fargate launch type do not support ipcMode.'
          )
        ]
      : []
}

export const fargateSize: RegisterRule = {
  id: 'fargate-size',
  title: 'Fargate CPU and memory',
  doc: `${GUIDE}/fargate-tasks-services.html#fargate-tasks-size`,
  check: input => {
    if (!requiresFargate(input)) return []
    if (!has(input, 'cpu'))
      return [
        v(
          'fargate-size',
          ['requiresCompatibilities'],
          'ClientException',
          "Fargate requires that 'cpu' be defined at the task level."
        )
      ]
    if (!has(input, 'memory'))
      return [
        v(
          'fargate-size',
          ['requiresCompatibilities'],
          'ClientException',
          "Fargate requires that 'memory' be defined at the task level."
        )
      ]
    const cpu = cpuUnits(input.cpu)
    const memory = memoryMiB(input.memory)
    if (cpu !== undefined && memory !== undefined && FARGATE_SIZES.get(cpu)?.includes(memory)) return []
    if (jsonKind(input.cpu) === 'object' || jsonKind(input.cpu) === 'list') return [] // the type rule says so
    return [
      v(
        'fargate-size',
        cpu !== undefined && FARGATE_SIZES.has(cpu) ? ['memory'] : ['cpu'],
        'ClientException',
        `No Fargate configuration exists for given values: ${String(input.cpu)} CPU, ${String(input.memory)} memory. See the Amazon ECS documentation for the valid values.`
      )
    ]
  }
}
