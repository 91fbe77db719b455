/** What a rule does with a matching frame. */
export type VfrAction = 'accept' | 'drop';

/**
 * One rule: frames whose source and destination start with these prefixes (empty = any).
 *
 * @public
 */
export interface VfrRule {
  readonly source: string;
  readonly destination: string;
  readonly action: VfrAction;
}

/**
 * Xen's virtual firewall-router (Xen paper §3.3): rules installed by Dom0 decide which
 * frames pass; anti-spoofing is built in — a frame whose source is not its interface's own
 * address is dropped whatever the rules say. First matching rule wins; default accept.
 *
 * @public
 */
export class VirtualFirewallRouter {
  readonly #rules: VfrRule[] = [];
  /** Frames dropped by rules. */
  droppedByRule = 0;
  /** Frames dropped as spoofed. */
  droppedSpoofed = 0;

  /** Installs a rule (callers must have checked the Dom0 privilege). */
  install(rule: VfrRule): void {
    this.#rules.push(rule);
  }

  /** Rules in order. */
  get rules(): readonly VfrRule[] {
    return this.#rules;
  }

  /** True when a frame from interface address `own` with these addresses may pass. */
  admits(own: string, source: string, destination: string): boolean {
    if (source !== own) {
      this.droppedSpoofed++;
      return false;
    }
    for (const r of this.#rules) {
      if (source.startsWith(r.source) && destination.startsWith(r.destination)) {
        if (r.action === 'drop') this.droppedByRule++;
        return r.action === 'accept';
      }
    }
    return true;
  }
}
