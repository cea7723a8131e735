/** Memory of the task and its containers: given where ECS needs it, above 0, within its limits. */
import { containerName, containers, has } from './plain-json.js'
import { GUIDE, v, type RegisterRule, type Violation } from './types.js'

/** Task memory in MiB: "512", 512, "1 GB", "0.5GB". Undefined when it is not one of those. */
export function memoryMiB(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i.exec(value)
  if (!m) return undefined
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1])
}

export const containerMemoryRequired: RegisterRule = {
  id: 'container-memory-required',
  title: 'container memory missing',
  doc: `${GUIDE}/task_definition_parameters.html#container_definition_memory`,
  check: input => {
    if (has(input, 'memory')) return []
    return containers(input).flatMap(([c, i]) =>
      has(c, 'memory') || has(c, 'memoryReservation')
        ? []
        : [
            v(
              'container-memory-required',
              ['containerDefinitions', i],
              'ClientException',
              `Invalid setting for container '${containerName(c, i)}'. At least one of 'memory' or 'memoryReservation' must be specified.`
            )
          ]
    )
  }
}

export const memoryPositive: RegisterRule = {
  id: 'memory-positive',
  title: 'memory not above 0',
  doc: `${GUIDE}/task_definition_parameters.html#container_definition_memory`,
  check: input => {
    const out: Violation[] = []
    const task = memoryMiB(input.memory)
    if (has(input, 'memory') && task !== undefined && task <= 0)
      out.push(
        v(
          'memory-positive',
          ['memory'],
          'ClientException',
          `Invalid 'memory' setting for task: ${String(input.memory)}.`
        )
      )
    for (const [c, i] of containers(input)) {
      for (const key of ['memory', 'memoryReservation'] as const) {
        const value = c[key]
        if (typeof value === 'number' && value <= 0)
          out.push(
            v(
              'memory-positive',
              ['containerDefinitions', i, key],
              'ClientException',
              `Invalid '${key}' setting for container '${containerName(c, i)}': ${value}. It must be greater than 0.`
            )
          )
      }
    }
    return out
  }
}

export const memoryLimits: RegisterRule = {
  id: 'memory-limits',
  title: 'container memory above its limit',
  doc: `${GUIDE}/task_definition_parameters.html#container_definition_memory`,
  check: input => {
    const out: Violation[] = []
    const task = memoryMiB(input.memory)
    for (const [c, i] of containers(input)) {
      const name = containerName(c, i)
      const { memory, memoryReservation } = c
      if (typeof memory === 'number' && memory > 0 && task !== undefined && task > 0 && memory > task)
        out.push(
          v(
            'memory-limits',
            ['containerDefinitions', i, 'memory'],
            'ClientException',
            `The 'memory' setting for container '${name}' is greater than for the task.`
          )
        )
      if (
        typeof memory === 'number' &&
        typeof memoryReservation === 'number' &&
        memory > 0 &&
        memoryReservation > memory
      )
        out.push(
          v(
            'memory-limits',
            ['containerDefinitions', i, 'memoryReservation'],
            'ClientException',
            `The 'memoryReservation' setting for container '${name}' is greater than its 'memory' setting.`
          )
        )
    }
    return out
  }
}
