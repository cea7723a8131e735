/**
 * The scripted backend's rules are one list (POST /_sim/rules replaces it): deploys that run at the same
 * time each add the rule for their own image and take it out when done, and every change sends the whole
 * list, one change at a time.
 */
import { setRules, type ScriptRule } from '../packages/ecs-sim/testing.js'

export class RuleBook {
  private readonly rules = new Map<string, ScriptRule>()
  private chain: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly url: string,
    private readonly base: ScriptRule[] = []
  ) {}

  add(rule: ScriptRule & { image: string }): Promise<void> {
    this.rules.set(rule.image, rule)
    return this.send()
  }

  remove(image: string): Promise<void> {
    this.rules.delete(image)
    return this.send()
  }

  private send(): Promise<void> {
    const next = this.chain.then(() => setRules(this.url, [...this.rules.values(), ...this.base]))
    this.chain = next.catch(() => undefined)
    return next.then(() => undefined)
  }
}
