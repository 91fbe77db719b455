import { InvalidArgumentError } from '../../errors/visorkit-error.js';
import type { MachineProfile } from '../machine-profile.js';
import { modern } from './modern.js';
import { server2007 } from './server-2007.js';
import { xeon2003 } from './xeon-2003.js';

export { modern, server2007, xeon2003 };

/** The bundled profiles, oldest first. */
export const bundledProfiles: readonly MachineProfile[] = [xeon2003, server2007, modern];

/** The bundled profile named `name`; throws InvalidArgumentError naming the known ones. */
export function findProfile(name: string): MachineProfile {
  const found = bundledProfiles.find((p) => p.name === name);
  if (found === undefined) throw new InvalidArgumentError('profile', `unknown profile '${name}' (known: ${bundledProfiles.map((p) => p.name).join(', ')})`);
  return found;
}
