/** What the awsvpc network mode forbids in a container: a hostname, a host port other than the container port. */
import { containers, has, isObj, listOf } from './plain-json.js'
import { API, v, type RegisterRule, type Violation } from './types.js'

export const awsvpcHostname: RegisterRule = {
  id: 'awsvpc-hostname',
  title: 'hostname under awsvpc',
  doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-hostname`,
  check: input =>
    input.networkMode !== 'awsvpc'
      ? []
      : containers(input).flatMap(([c, i]) =>
          has(c, 'hostname')
            ? [
                v(
                  'awsvpc-hostname',
                  ['containerDefinitions', i, 'hostname'],
                  'ClientException',
                  'hostname is not supported on container when networkMode=awsvpc.'
                )
              ]
            : []
        )
}

export const awsvpcHostPort: RegisterRule = {
  id: 'awsvpc-host-port',
  title: 'host port differs under awsvpc',
  doc: `${API}/API_PortMapping.html#ECS-Type-PortMapping-hostPort`,
  check: input => {
    if (input.networkMode !== 'awsvpc') return []
    const out: Violation[] = []
    for (const [c, i] of containers(input)) {
      listOf(c.portMappings).forEach((p, j) => {
        if (!isObj(p) || !has(p, 'hostPort') || !has(p, 'containerPort')) return
        if (p.hostPort !== p.containerPort)
          out.push(
            v(
              'awsvpc-host-port',
              ['containerDefinitions', i, 'portMappings', j, 'hostPort'],
              'ClientException',
              'When networkMode=awsvpc, the host ports and container ports in port mappings must match.'
            )
          )
      })
    }
    return out
  }
}
