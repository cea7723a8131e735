/** Registering the rendered task definition: one RegisterTaskDefinition call, its failure in ECS's words. */
import {
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Tag,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import { awsFailure } from '../aws.js'

export async function registerTaskDefinition(
  ecs: ECSClient,
  input: RegisterTaskDefinitionCommandInput,
  tags?: Tag[]
): Promise<TaskDefinition> {
  try {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({ ...input, ...(tags?.length ? { tags } : {}) })
    )
    if (!out.taskDefinition?.taskDefinitionArn) throw new Error('the answer has no task definition ARN')
    return out.taskDefinition
  } catch (error) {
    throw awsFailure('ecs:RegisterTaskDefinition', error, {
      hint: "check the task definition against the ECS documentation; the message above is ECS's own"
    })
  }
}
