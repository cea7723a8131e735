/**
 * CloudWatch's errors as its awsQueryCompatible JSON 1.0 protocol sends them: `__type` names the shape
 * (`com.amazonaws.cloudwatch#InvalidParameterValueException`) and the `x-amzn-query-error: Code;Sender`
 * header carries the old Query code (`InvalidParameterValue`), which the SDK reads first and maps back to
 * the shape whose `awsQueryError` trait names it (@aws-sdk/core's findQueryCompatibleError).
 */
import { AwsError } from '../util.js'

/** Shape name → [Query code, HTTP status], from the installed client's error schemas. */
const QUERY_CODES: Record<string, [string, number]> = {
  InvalidParameterValueException: ['InvalidParameterValue', 400],
  MissingRequiredParameterException: ['MissingParameter', 400],
  InvalidParameterCombinationException: ['InvalidParameterCombination', 400],
  InvalidNextToken: ['InvalidNextToken', 400],
  InvalidFormatFault: ['InvalidFormat', 400],
  ResourceNotFound: ['ResourceNotFound', 404],
  LimitExceededFault: ['LimitExceeded', 400],
  InternalServiceFault: ['InternalServiceError', 500],
  /** Not a modelled shape: the SDK raises it by its Query code (a retryable throttling error). */
  Throttling: ['Throttling', 400]
}

export class CloudWatchError extends AwsError {
  readonly queryCode: string
  readonly fault: 'Sender' | 'Receiver'

  constructor(shape: keyof typeof QUERY_CODES, message: string) {
    const [code, status] = QUERY_CODES[shape]
    super(shape, message, status)
    this.queryCode = code
    this.fault = status >= 500 ? 'Receiver' : 'Sender'
  }
}

/**
 * The `__type` and `x-amzn-query-error` of an error. An AwsError of the shared server code (a body that is
 * not JSON, an unknown operation, an internal error) keeps its name as its code.
 */
export function wireError(err: AwsError): { type: string; queryError: string; status: number } {
  if (!(err instanceof CloudWatchError))
    return {
      type: err.type,
      queryError: `${err.type};${err.status >= 500 ? 'Receiver' : 'Sender'}`,
      status: err.status
    }
  const type = err.queryCode === 'Throttling' ? 'Throttling' : `com.amazonaws.cloudwatch#${err.type}`
  return { type, queryError: `${err.queryCode};${err.fault}`, status: err.status }
}

export const invalidValue = (param: string, value: unknown, why = ''): CloudWatchError =>
  new CloudWatchError(
    'InvalidParameterValueException',
    `The value ${typeof value === 'string' ? value : JSON.stringify(value)} for parameter ${param} is invalid.${why ? ` ${why}` : ''}`
  )

export const missing = (param: string): CloudWatchError =>
  new CloudWatchError('MissingRequiredParameterException', `The parameter ${param} is required.`)

export const combination = (message: string): CloudWatchError =>
  new CloudWatchError('InvalidParameterCombinationException', message)

export const badToken = (): CloudWatchError =>
  new CloudWatchError('InvalidNextToken', 'The service cannot process NextToken.')
