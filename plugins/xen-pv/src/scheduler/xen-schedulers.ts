export { BvtScheduler } from './bvt-scheduler.js';
export { CreditScheduler } from './credit-scheduler.js';
