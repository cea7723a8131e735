/**
 * Cleaning: unknown keys reported with their line (and a "did you mean") and left out; scalars of the
 * wrong type converted where the intent is clear, reported either way.
 */
import { describe, expect, test } from '@jest/globals'
import { parseTaskDefinition } from '../../src/task-definition/load.js'

/** A text from lines, so the line numbers in the tests are the array's (index + 1). */
const lines = (...l: string[]): string => l.join('\n') + '\n'

describe('unknown keys are reported with their line and left out', () => {
  const yamlText = lines(
    'family: web', // 1
    'containerDefinitions:', // 2
    '  - name: app', // 3
    '    image: nginx', // 4
    '    memoryReservaton: 256', // 5
    '    healthcheck:', // 6
    '      command: [CMD-SHELL, "true"]', // 7
    '    portMappings:', // 8
    '      - containerport: 80', // 9
    '        hostPort: 80', // 10
    '    logConfiguration:', // 11
    '      logdriver: awslogs', // 12
    'requiresCompatibility: [FARGATE]' // 13
  )
  const jsonText = lines(
    '{', // 1
    '  "family": "web",', // 2
    '  "containerDefinitions": [', // 3
    '    {', // 4
    '      "name": "app",', // 5
    '      "image": "nginx",', // 6
    '      "executionRoleArn": "arn:aws:iam::1:role/x",', // 7
    '      "healthCheck": { "command": ["CMD-SHELL", "true"], "intervall": 30 },', // 8
    '      "environment": [{ "name": "A", "valueFrom": "arn:aws:ssm:x" }]', // 9
    '    }', // 10
    '  ],', // 11
    '  "image": "nginx"', // 12
    '}' // 13
  )

  test.each([
    ['td.yml', 5, 5, 'memoryReservaton', /Did you mean "memoryReservation"\?/, yamlText],
    ['td.yml', 6, 5, 'healthcheck', /Did you mean "healthCheck"\?/, yamlText],
    [
      'td.yml',
      9,
      9,
      'containerport',
      /in containerDefinitions\[0\]\.portMappings\[0\].*Did you mean "containerPort"\?/,
      yamlText
    ],
    ['td.yml', 12, 7, 'logdriver', /Did you mean "logDriver"\?/, yamlText],
    ['td.yml', 13, 1, 'requiresCompatibility', /Did you mean "requiresCompatibilities"\?/, yamlText],
    ['td.json', 7, 7, 'executionRoleArn', /belongs to the task definition/, jsonText],
    [
      'td.json',
      8,
      58,
      'intervall',
      /in containerDefinitions\[0\]\.healthCheck: HealthCheck .*Did you mean "interval"\?/,
      jsonText
    ],
    ['td.json', 9, 38, 'valueFrom', /belongs in "secrets"/, jsonText],
    ['td.json', 12, 3, 'image', /belongs inside a container/, jsonText]
  ])('%s: line %d:%d %s', (file, line, column, key, hint, text) => {
    const loaded = parseTaskDefinition(text, file)
    const warning = loaded.warnings.find(w => w.message.startsWith(`Unknown key "${key}"`))
    expect(warning).toEqual({ message: expect.stringMatching(hint), file, line, column })
  })

  test('what is known stays, what is unknown goes', () => {
    const yaml = parseTaskDefinition(yamlText, 'td.yml')
    expect(yaml.warnings).toHaveLength(5)
    expect(yaml.input).toEqual({
      family: 'web',
      containerDefinitions: [
        { name: 'app', image: 'nginx', portMappings: [{ hostPort: 80 }], logConfiguration: {} }
      ]
    })
    const json = parseTaskDefinition(jsonText, 'td.json')
    expect(json.warnings).toHaveLength(4)
    expect(json.input.containerDefinitions![0]).toEqual({
      name: 'app',
      image: 'nginx',
      healthCheck: { command: ['CMD-SHELL', 'true'] },
      environment: [{ name: 'A' }]
    })
  })

  test('a close name that is not a typo gets no suggestion', () => {
    const loaded = parseTaskDefinition(
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx', '    frobnicate: 1'),
      'td.yml'
    )
    expect(loaded.warnings[0].message).not.toContain('Did you mean')
  })

  test('duplicate JSON keys warn (the last one wins, as with JSON.parse)', () => {
    const loaded = parseTaskDefinition(
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [{ "name": "a", "image": "x" }],',
        '  "family": "api"',
        '}'
      ),
      'td.json'
    )
    expect(loaded.input.family).toBe('api')
    expect(loaded.warnings).toEqual([
      {
        message: expect.stringContaining('Duplicate key "family" (also on line 2)'),
        file: 'td.json',
        line: 4,
        column: 3
      }
    ])
  })
})

describe('scalars of the wrong type', () => {
  test('numbers where ECS wants strings become their source text; numeric strings become numbers, with a warning', () => {
    const loaded = parseTaskDefinition(
      lines(
        'family: web',
        'cpu: 256', // ECS wants "256"
        'memory: 512',
        'containerDefinitions:',
        '  - name: app',
        '    image: nginx',
        '    memory: "512"', // 7: ECS wants 512
        '    essential: "true"', // 8: ECS wants true
        '    environment:',
        '      - name: VERSION',
        '        value: 1.10', // stays "1.10", not "1.1"
        '      - name: DEBUG',
        '        value: false',
        '    dockerLabels:',
        '      port: 8080'
      ),
      'td.yaml'
    )
    expect(loaded.input).toEqual({
      family: 'web',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx',
          memory: 512,
          essential: true,
          environment: [
            { name: 'VERSION', value: '1.10' },
            { name: 'DEBUG', value: 'false' }
          ],
          dockerLabels: { port: '8080' }
        }
      ]
    })
    expect(loaded.warnings.map(w => [w.line, w.column, w.message])).toEqual([
      [7, 5, expect.stringContaining('containerDefinitions[0].memory should be a number')],
      [8, 5, expect.stringContaining('containerDefinitions[0].essential should be true or false')]
    ])
  })

  test('what cannot be converted is kept and reported', () => {
    const loaded = parseTaskDefinition(
      lines(
        '{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "command": "npm start"}]}'
      ),
      'td.json'
    )
    expect(loaded.input.containerDefinitions![0].command).toBe('npm start')
    expect(loaded.warnings[0].message).toContain('containerDefinitions[0].command should be a list')
    expect([loaded.warnings[0].line, loaded.warnings[0].column]).toEqual([1, 78])
  })
})
