import type { Json } from '../util.js'
import type { SimContext } from '../context.js'

/** A repository of the local ECR; its images live in the registry. */
export interface Repository {
  name: string
  createdAt: number
  tags: { key: string; value: string }[]
  imageTagMutability: string
  imageScanningConfiguration: Json
  encryptionConfiguration: Json
}

export interface EcrCall {
  ctx: SimContext
  region: string
  input: Json
}
