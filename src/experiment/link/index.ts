export { encodeExperimentLink, linkDocument, packLink } from './encode';
export type { LinkOptions } from './encode';
export { decodeExperimentLink, restoreExperiment } from './decode';
export type { DecodedLink } from './decode';
export { CURRENT_VERSION, MIGRATIONS, migrate, versionOf } from './migrate';
export {
  CHECK_PARAM,
  LINK_KEYS,
  MAX_JSON_CHARS,
  MAX_LINK_CHARS,
  PAYLOAD_PARAM,
  checkCode,
  hashParams,
  isEmptyHash,
} from './format';
export { compactExperiment, sameJson } from './compact';
export { MAX_REPORTED_ROWS, REPORTED_LABEL, reportedBySharer, reportedRowSchema } from './reported';
export type { ReportedResults, ReportedRow } from './reported';
export { DEFAULT_VIEW, linkViewSchema } from './view';
export type { LinkView } from './view';
export { SANITIZE_LIMITS, sanitizeJson } from './sanitize';
export { capProblems, friendlyIssue, MAX_PROBLEMS } from './messages';
