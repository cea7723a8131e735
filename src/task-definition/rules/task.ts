/** Rules on the task definition as a whole: its family, its tags, its size. */
import { has } from './plain-json.js'
import { GUIDE, REGISTER, v, type RegisterRule } from './types.js'

const FAMILY_RE = /^[a-zA-Z0-9_-]{1,255}$/

/** ECS's limit on the size of a task definition (bytes of the request's JSON). */
export const MAX_TASK_DEFINITION_BYTES = 65536

export const familyRequired: RegisterRule = {
  id: 'family-required',
  title: 'family missing',
  doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-family`,
  check: input =>
    !has(input, 'family') || input.family === ''
      ? [v('family-required', ['family'], 'ClientException', 'Family can not be blank.')]
      : []
}

export const familyFormat: RegisterRule = {
  id: 'family-format',
  title: 'family name',
  doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-family`,
  check: input =>
    typeof input.family === 'string' && input.family !== '' && !FAMILY_RE.test(input.family)
      ? [
          v(
            'family-format',
            ['family'],
            'ClientException',
            'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.'
          )
        ]
      : []
}

export const tagsEmpty: RegisterRule = {
  id: 'tags-empty',
  title: 'empty tags list',
  doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-tags`,
  fixNote:
    'ECS refuses an empty list of tags; without it the task definition is registered with no tags, as meant.',
  check: input =>
    Array.isArray(input.tags) && input.tags.length === 0
      ? [v('tags-empty', ['tags'], 'ClientException', 'Tags can not be empty.', 'drop')]
      : []
}

export const sizeLimit: RegisterRule = {
  id: 'size-limit',
  title: 'task definition over 64 KiB',
  doc: `${GUIDE}/service-quotas.html`,
  check: input => {
    const bytes = new TextEncoder().encode(JSON.stringify(input)).length
    return bytes > MAX_TASK_DEFINITION_BYTES
      ? [
          v(
            'size-limit',
            [],
            'ClientException',
            `Actual length: '${bytes}'. Max allowed length is '${MAX_TASK_DEFINITION_BYTES}' bytes.`
          )
        ]
      : []
  }
}
