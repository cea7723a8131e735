/** Rules on the containers: how many, their names, images, essential flag and repository credentials. */
import { containerName, containers, has, isObj, listOf, shown } from './plain-json.js'
import { API, GUIDE, REGISTER, v, type RegisterRule, type Violation } from './types.js'

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/

/** ECS's service quota: containers per task definition. */
export const MAX_CONTAINERS = 10

export const containersRequired: RegisterRule = {
  id: 'containers-required',
  title: 'no containers',
  doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-containerDefinitions`,
  check: input =>
    listOf(input.containerDefinitions).length === 0
      ? [
          v(
            'containers-required',
            ['containerDefinitions'],
            'ClientException',
            'Container list cannot be empty.'
          )
        ]
      : []
}

export const containersMax: RegisterRule = {
  id: 'containers-max',
  title: 'more than 10 containers',
  doc: `${GUIDE}/service-quotas.html`,
  check: input =>
    listOf(input.containerDefinitions).length > MAX_CONTAINERS
      ? [
          v(
            'containers-max',
            ['containerDefinitions', MAX_CONTAINERS],
            'ClientException',
            'Too many containers.'
          )
        ]
      : []
}

export const containerNameRequired: RegisterRule = {
  id: 'container-name-required',
  title: 'container name missing',
  doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-name`,
  check: input =>
    listOf(input.containerDefinitions).flatMap((c, i) =>
      !isObj(c) || !has(c, 'name') || c.name === ''
        ? [
            v(
              'container-name-required',
              ['containerDefinitions', i, 'name'],
              'ClientException',
              'Container.name should not be null or empty.'
            )
          ]
        : []
    )
}

export const containerNameFormat: RegisterRule = {
  id: 'container-name-format',
  title: 'container name',
  doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-name`,
  check: input =>
    containers(input).flatMap(([c, i]) =>
      typeof c.name === 'string' && c.name !== '' && !NAME_RE.test(c.name)
        ? [
            v(
              'container-name-format',
              ['containerDefinitions', i, 'name'],
              'ClientException',
              `Container name '${shown(c.name)}' contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`
            )
          ]
        : []
    )
}

export const containerNameUnique: RegisterRule = {
  id: 'container-name-unique',
  title: 'duplicate container name',
  doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-name`,
  check: input => {
    const seen = new Set<string>()
    const out: Violation[] = []
    for (const [c, i] of containers(input)) {
      if (typeof c.name !== 'string' || c.name === '') continue
      if (seen.has(c.name))
        out.push(
          v(
            'container-name-unique',
            ['containerDefinitions', i, 'name'],
            'ClientException',
            `Duplicate container name '${shown(c.name)}'. Container names must be unique within a task definition.`
          )
        )
      seen.add(c.name)
    }
    return out
  }
}

export const containerImageRequired: RegisterRule = {
  id: 'container-image-required',
  title: 'container image missing',
  doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-image`,
  check: input =>
    containers(input).flatMap(([c, i]) =>
      !has(c, 'image') || (typeof c.image === 'string' && c.image.trim() === '')
        ? [
            v(
              'container-image-required',
              ['containerDefinitions', i, 'image'],
              'ClientException',
              'Container.image should not be null or empty.'
            )
          ]
        : []
    )
}

export const essentialContainer: RegisterRule = {
  id: 'essential-container',
  title: 'no essential container',
  doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-essential`,
  check: input => {
    const all = containers(input)
    return all.length > 0 && all.every(([c]) => c.essential === false)
      ? [
          v(
            'essential-container',
            ['containerDefinitions'],
            'ClientException',
            'A task definition must have at least one essential container.'
          )
        ]
      : []
  }
}

export const credentialsParameterEmpty: RegisterRule = {
  id: 'credentials-parameter-empty',
  title: 'empty repository credentials',
  doc: `${API}/API_RepositoryCredentials.html`,
  fixNote:
    'ECS refuses an empty credentialsParameter; without repositoryCredentials the image is pulled with no private-registry credentials, which is what an empty one means.',
  check: input =>
    containers(input).flatMap(([c, i]) => {
      const creds = c.repositoryCredentials
      if (!isObj(creds) || typeof creds.credentialsParameter !== 'string') return []
      if (creds.credentialsParameter.trim() !== '') return []
      return [
        v(
          'credentials-parameter-empty',
          ['containerDefinitions', i, 'repositoryCredentials', 'credentialsParameter'],
          'ClientException',
          `The repository credentials parameter specified for container '${containerName(c, i)}' is invalid.`,
          'drop'
        )
      ]
    })
}
