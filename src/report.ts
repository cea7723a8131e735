/**
 * What the user sees, in src/report/: this file only re-exports it, so `./report.js` imports keep working
 * while the other reshaping branches merge (the lead may point them at `./report/…` and drop this file).
 */
export type { DeployReport, RunContext } from './report/types.js'
export {
  annotateCauses,
  annotationMessage,
  DEFAULT_ANNOTATION_LIMIT,
  failureMessage,
  flushWarnings,
  otherCauses,
  warning
} from './report/annotations.js'
export { printCauses } from './report/log.js'
export { consoleUrl, setOutputs } from './report/outputs.js'
export { summaryHeadline } from './report/headline.js'
export { renderSummary, writeSummary } from './report/summary.js'
