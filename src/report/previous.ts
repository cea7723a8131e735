/**
 * The edge that reads what the deploy replaces: the image the changed container ran in the previous
 * revision (one DescribeTaskDefinition). Best effort: without it the summary shows no "before".
 */
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs'

export async function previousImage(
  ecs: ECSClient,
  previousTaskDefinitionArn: string | undefined,
  containerName: string | undefined
): Promise<string | undefined> {
  if (!previousTaskDefinitionArn || !containerName) return undefined
  try {
    const out = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: previousTaskDefinitionArn })
    )
    return out?.taskDefinition?.containerDefinitions?.find(c => c.name === containerName)?.image
  } catch {
    return undefined
  }
}
