/**
 * ARNs and the ids inside them, read one way everywhere. ECS ARNs end in a path whose last part is the
 * resource's own name or id: `…:task-definition/shop-web:3` → `shop-web:3`, `…:task/prod/0a1b…` → `0a1b…`,
 * `…:service/prod/web` → `web`. Pure.
 */

/** The last part of an ARN's resource path (the whole text when it is no ARN); `unknown` for nothing. */
export function arnTail(arn: string | undefined): string {
  if (!arn) return 'unknown'
  const slash = arn.lastIndexOf('/')
  return slash >= 0 ? arn.slice(slash + 1) : arn
}

/** A task id short enough for a table: the first 8 characters of the id (ECS ids are 32 hex). */
export function shortTaskId(arn: string | undefined): string {
  const id = arnTail(arn)
  return id.length > 12 ? id.slice(0, 8) : id
}

/** The parts of an ARN: `arn:partition:service:region:account:resource`; undefined when it is not one. */
export function parseArn(
  arn: string
): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
  const parts = arn.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') return undefined
  const [, partition, service, region, account] = parts
  return { partition, service, region, account, resource: parts.slice(5).join(':') }
}

/** A Lambda function's name from its ARN (`arn:aws:lambda:…:function:name[:alias]`); the text itself otherwise. */
export function functionName(arn: string): string {
  const parsed = parseArn(arn)
  if (!parsed || parsed.service !== 'lambda') return arn
  const [kind, name] = parsed.resource.split(':')
  return kind === 'function' && name ? name : parsed.resource
}
