import { InvalidArgumentError } from '../../errors/visorkit-error.js';
import type { MachineProfile } from '../machine-profile.js';
import { modern } from './modern.js';
import { server2007 } from './server-2007.js';
import { xeon2003 } from './xeon-2003.js';
import type { ProfileSources } from '../../calibration/profile-parameters.js';
import { modernSources } from './modern-sources.js';
import { server2007Sources } from './server-2007-sources.js';
import { xeon2003Sources } from './xeon-2003-sources.js';

export { modern, server2007, xeon2003, modernSources, server2007Sources, xeon2003Sources };

/**
 * The bundled profiles, oldest first.
 *
 * @public
 */
export const bundledProfiles: readonly MachineProfile[] = [xeon2003, server2007, modern];

/**
 * The bundled profile named `name`; throws InvalidArgumentError naming the known ones.
 *
 * @public
 */
export function findProfile(name: string): MachineProfile {
  const found = bundledProfiles.find((p) => p.name === name);
  if (found === undefined) throw new InvalidArgumentError('profile', `unknown profile '${name}' (known: ${bundledProfiles.map((p) => p.name).join(', ')})`);
  return found;
}

/**
 * Each bundled profile's sources, by profile name (the calibration ledger's primitives).
 *
 * @public
 */
export const bundledProfileSources: Readonly<Record<string, ProfileSources>> = {
  [xeon2003.name]: xeon2003Sources,
  [server2007.name]: server2007Sources,
  [modern.name]: modernSources,
};
