/** Entry: the main step, or the post step when the main step saved its state. */
import * as core from '@actions/core'
import { run } from './main.js'
import { post } from './post.js'

if (core.getState('isPost') === 'true') {
  await post()
} else {
  await run()
}
