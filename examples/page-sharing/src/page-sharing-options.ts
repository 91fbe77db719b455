import { PAGE_SHARING_PATH } from './page-sharing-path-lengths.js';

/**
 * The scanner's pace, KSM's two knobs.
 *
 * @public
 */
export interface PageSharingOptions {
  /** Guest frames scanned per wake-up (KSM's `pages_to_scan`). */
  readonly pagesPerScan: number;
  /** Sleep between wake-ups, in ms (KSM's `sleep_millisecs`). */
  readonly scanPeriodMs: number;
}

/**
 * Token of the options in the plugin's container.
 *
 * @public
 */
export const PageSharingOptions = Symbol.for('visorkit.example-page-sharing.PageSharingOptions');

/**
 * KSM's defaults.
 *
 * @public
 */
export const PAGE_SHARING_DEFAULTS: PageSharingOptions = {
  pagesPerScan: PAGE_SHARING_PATH.value.pagesPerScan,
  scanPeriodMs: PAGE_SHARING_PATH.value.scanPeriodMs,
};
