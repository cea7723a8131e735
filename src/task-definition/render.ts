/**
 * The container that gets the new image (chosen in the plan, before anything is built) and the task
 * definition with that image in it (pure).
 */
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import { DeployError } from '../errors.js'
import { boundMessage, quote } from '../untrusted.js'
import { suggest } from './clean.js'
import type { LoadedTaskDefinition } from './load.js'

function containerNames(input: RegisterTaskDefinitionCommandInput): string[] {
  return (input.containerDefinitions ?? []).map(c => c.name ?? '')
}

/** Container names for a message: each bounded, at most 20 of them. */
function listNames(names: string[]): string {
  const shown = names.slice(0, 20).map(n => boundMessage(n, 60))
  return names.length > 20 ? `${shown.join(', ')} and ${names.length - 20} more` : shown.join(', ')
}

/**
 * The container that gets the new image: the named one, or the only one. Fails in the plan phase when it
 * is not there, when a name is needed, or when another container has an empty image (only the container
 * being deployed may leave `image` empty, since it gets the new one).
 */
export function selectContainer(loaded: LoadedTaskDefinition, containerName?: string): ContainerDefinition {
  const containers = loaded.input.containerDefinitions ?? []
  const names = containerNames(loaded.input)
  const listPosition = loaded.locate(['containerDefinitions'])
  let index: number
  if (containerName !== undefined && containerName !== '') {
    index = names.indexOf(containerName)
    if (index < 0) {
      const close = suggest(containerName, names)
      throw new DeployError(
        'Container not found',
        `Input "container-name": Container ${quote(containerName)} is not in task definition ` +
          `${boundMessage(loaded.source, 200)}. Containers: ${listNames(names)}`,
        {
          file: loaded.file,
          line: listPosition?.line,
          column: listPosition?.column,
          hint: close
            ? `Did you mean ${quote(close)}? Set the container-name input to one of the containers above.`
            : 'Set the container-name input to one of the containers above.'
        }
      )
    }
  } else if (containers.length === 1) {
    index = 0
  } else {
    throw new DeployError(
      'Container name needed',
      `Task definition ${boundMessage(loaded.source, 200)} has ${containers.length} containers (${listNames(names)}); ` +
        'set the container-name input to the one that gets the new image.',
      { file: loaded.file, line: listPosition?.line, column: listPosition?.column }
    )
  }
  const chosen = containers[index]
  containers.forEach((container, i) => {
    if (i !== index && (container.image ?? '').trim() === '') {
      const position = loaded.locate(['containerDefinitions', i, 'image'])
      throw new DeployError(
        'Empty image',
        `Container ${quote(container.name ?? '')} in task definition ${boundMessage(loaded.source, 200)} has an empty image, ` +
          `and it is not the container being deployed (${quote(chosen.name ?? '')}). Only that one may leave "image" empty.`,
        {
          file: loaded.file,
          line: position?.line,
          column: position?.column,
          hint: 'Give the other container its image in the file, or deploy one image per container in separate steps with separate files.'
        }
      )
    }
  })
  return chosen
}

/**
 * The task definition with `image` as the image of `containerName`. Pure: returns a deep copy and changes
 * nothing else. Throws a render-phase DeployError when the container is missing, the image is empty, or
 * another container would be registered with an empty image.
 */
export function renderTaskDefinition(
  input: RegisterTaskDefinitionCommandInput,
  containerName: string,
  image: string
): RegisterTaskDefinitionCommandInput {
  const rendered = structuredClone(input)
  const containers = rendered.containerDefinitions ?? []
  const target = containers.find(c => c.name === containerName)
  if (!target) {
    throw new DeployError(
      'Container not found',
      `Container ${quote(containerName)} is not in the task definition. Containers: ${listNames(containerNames(input))}`
    )
  }
  if (image.trim() === '') {
    throw new DeployError('No image', `The new image for container ${quote(containerName)} is empty.`)
  }
  target.image = image
  for (const c of containers) {
    if ((c.image ?? '').trim() === '') {
      throw new DeployError(
        'Empty image',
        `Container ${quote(c.name ?? '')} has an empty image; only the container being deployed (${quote(containerName)}) may.`
      )
    }
  }
  return rendered
}
