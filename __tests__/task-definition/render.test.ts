/** The container that gets the new image (selectContainer) and the rendered task definition (pure). */
import { describe, expect, test } from '@jest/globals'
import { parseTaskDefinition } from '../../src/task-definition/load.js'
import { renderTaskDefinition, selectContainer } from '../../src/task-definition/render.js'
import { NEW_IMAGE, deepFreeze, thrown } from '../setup/task-definition-files.js'

/** A text from lines, so the line numbers in the tests are the array's (index + 1). */
const lines = (...l: string[]): string => l.join('\n') + '\n'

const twoContainers = lines(
  '{', // 1
  '  "family": "web",', // 2
  '  "containerDefinitions": [', // 3
  '    { "name": "app", "image": "" },', // 4
  '    { "name": "nginx", "image": "nginx:1.27" }', // 5
  '  ]', // 6
  '}' // 7
)

describe('selectContainer', () => {
  const loaded = parseTaskDefinition(twoContainers, 'ecs/td.json')

  test('a named container (the one with the empty image)', () => {
    expect(selectContainer(loaded, 'app')).toBe(loaded.input.containerDefinitions![0])
  })

  test.each([
    [
      'worker',
      'Input "container-name": Container "worker" is not in task definition ecs/td.json. Containers: app, nginx',
      undefined
    ],
    [
      'ngnix',
      'Input "container-name": Container "ngnix" is not in task definition ecs/td.json. Containers: app, nginx',
      'Did you mean "nginx"?'
    ]
  ])('container %s not found lists the containers', (name, message, hint) => {
    const error = thrown(() => selectContainer(loaded, name))
    expect([error.title, error.message, error.file, error.line]).toEqual([
      'Container not found',
      message,
      'ecs/td.json',
      3
    ])
    if (hint) expect(error.hint).toContain(hint)
    expect(error.hint).toContain('container-name')
  })

  test('several containers and no name: asks for container-name', () => {
    const error = thrown(() => selectContainer(loaded))
    expect(error.title).toBe('Container name needed')
    expect(error.message).toContain('2 containers (app, nginx)')
    expect(error.message).toContain('container-name')
    expect(thrown(() => selectContainer(loaded, '')).title).toBe('Container name needed')
  })

  test('one container and no name: that one', () => {
    const one = parseTaskDefinition(
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: ""'),
      'td.yml'
    )
    expect(selectContainer(one).name).toBe('app')
  })

  test('another container with an empty image fails, pointing at that image', () => {
    const other = parseTaskDefinition(twoContainers.replace('nginx:1.27', ''), 'ecs/td.json')
    const error = thrown(() => selectContainer(other, 'app'))
    expect([error.title, error.line, error.column]).toEqual(['Empty image', 5, 24])
    expect(error.message).toContain('Container "nginx"')
  })
})

describe('renderTaskDefinition', () => {
  const loaded = parseTaskDefinition(twoContainers, 'ecs/td.json')

  test('sets only the chosen image, leaves its argument alone and returns a deep copy', () => {
    const input = deepFreeze(loaded.input)
    const rendered = renderTaskDefinition(input, 'app', NEW_IMAGE)
    expect(rendered).toEqual({
      family: 'web',
      containerDefinitions: [
        { name: 'app', image: NEW_IMAGE },
        { name: 'nginx', image: 'nginx:1.27' }
      ]
    })
    expect(input.containerDefinitions![0].image).toBe('')
    expect(rendered.containerDefinitions).not.toBe(input.containerDefinitions)
    expect(rendered.containerDefinitions![1]).not.toBe(input.containerDefinitions![1])
  })

  test.each([
    ['worker', NEW_IMAGE, 'Container not found', 'Containers: app, nginx'],
    ['app', ' ', 'No image', 'empty'],
    ['nginx', NEW_IMAGE, 'Empty image', 'Container "app" has an empty image']
  ])('%s with %j fails: %s', (name, image, title, what) => {
    const error = thrown(() => renderTaskDefinition(loaded.input, name, image))
    expect([error.title]).toEqual([title])
    expect(error.message).toContain(what)
  })
})
