import LZString from 'lz-string';
import type { Experiment } from '../schema';
import { compactExperiment, withoutDefaults } from './compact';
import { CHECK_PARAM, PAYLOAD_PARAM, checkCode } from './format';
import type { ReportedResults } from './reported';
import { packReportedRow } from './reported';
import type { LinkView } from './view';
import { DEFAULT_VIEW } from './view';

export interface LinkOptions {
  /** Ask the receiving app to start "Run all" once the link is loaded. */
  autorun?: boolean;
  /** What the sharer had open; fields left out mean the default view. */
  view?: Partial<LinkView>;
  /** The sharer's own results, shown to the receiver as reported, not re-measured. */
  reported?: ReportedResults;
}

/** The JSON document a link carries: the compact experiment plus the link-only keys. */
export function linkDocument(
  experiment: Experiment,
  options: LinkOptions = {},
): Record<string, unknown> {
  const doc = compactExperiment(experiment);
  if (options.autorun === true) doc.autorun = true;
  if (options.view) {
    const view = withoutDefaults({ ...DEFAULT_VIEW, ...options.view }, DEFAULT_VIEW);
    if (Object.keys(view).length > 0) doc.view = view;
  }
  if (options.reported) doc.reported = options.reported.rows.map(packReportedRow);
  return doc;
}

/** Wraps JSON text as a link hash: '#x=' + lz-string(json) + '&c=' + FNV-1a check code of json. */
export function packLink(json: string): string {
  const payload = LZString.compressToEncodedURIComponent(json);
  return `#${PAYLOAD_PARAM}=${payload}&${CHECK_PARAM}=${checkCode(json)}`;
}

/**
 * The URL hash that shares `experiment`: '#x=<lz-string of the compact JSON>&c=<check code>'.
 * Fields at their defaults are left out, so a small change makes a short link. The experiment is
 * expected to be valid; anything invalid is written as it is and reported when decoded.
 */
export function encodeExperimentLink(experiment: Experiment, options: LinkOptions = {}): string {
  return packLink(JSON.stringify(linkDocument(experiment, options)));
}
