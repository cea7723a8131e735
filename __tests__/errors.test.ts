/**
 * What errors.ts calls transient. ECR calls no longer retry on their own (the SDK's adaptive retry is the
 * one layer); the watch loop still keeps waiting through these.
 */
import { describe, expect, test } from '@jest/globals'
import { ECRServiceException, RepositoryNotFoundException, ServerException } from '@aws-sdk/client-ecr'
import { isTransientError } from '../src/errors.js'

const meta = (status: number) => ({ httpStatusCode: status })

function awsError(name: string, status: number): Error {
  return new ECRServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: meta(status),
    message: name
  })
}

describe('isTransientError (moved from ecr.test.ts with its isTransient alias)', () => {
  test.each<[string, unknown, boolean]>([
    ['ServerException', new ServerException({ $metadata: meta(500), message: 'x' }), true],
    ['503 by status', awsError('Whatever', 503), true],
    ['$retryable', Object.assign(new Error('x'), { $retryable: {} }), true],
    [
      'ETIMEDOUT in the cause',
      Object.assign(new Error('x'), { cause: Object.assign(new Error('y'), { code: 'ETIMEDOUT' }) }),
      true
    ],
    ['RepositoryNotFound', new RepositoryNotFoundException({ $metadata: meta(400), message: 'x' }), false],
    ['400 validation', awsError('InvalidParameterException', 400), false],
    ['a string', 'nope', false],
    ['undefined', undefined, false]
  ])('%s → %p', (_name, error, expected) => {
    expect(isTransientError(error)).toBe(expected)
  })
})
