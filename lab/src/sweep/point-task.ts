import 'reflect-metadata';
import { runSweepPoint, type SweepPoint } from './sweep-point.js';

/**
 * Piscina task: runs one sweep point in a worker thread and returns its result as JSON text.
 * A queue worker runs points here so its own event loop stays free to renew its lock on the
 * job (a simulation can take seconds of CPU).
 */
export default function runPointTask(point: SweepPoint): string {
  return JSON.stringify(runSweepPoint(point));
}
