import type { Flow } from '../../../core/flow/schema.ts'
import ec2WithoutOwner from '../../../examples/templates/ec2-instances-without-owner.qflow.json'
import publicRds from '../../../examples/templates/public-rds-instances.qflow.json'
import openSecurityGroups from '../../../examples/templates/security-groups-open-to-world.qflow.json'
import unencryptedRds from '../../../examples/templates/unencrypted-rds-storage.qflow.json'

/** The templates shipped in examples/templates, bundled so the app needs no extra request. */
export const TEMPLATES: { id: string; flow: Flow }[] = [
  { id: 'public-rds-instances', flow: publicRds as Flow },
  { id: 'security-groups-open-to-world', flow: openSecurityGroups as Flow },
  { id: 'unencrypted-rds-storage', flow: unencryptedRds as Flow },
  { id: 'ec2-instances-without-owner', flow: ec2WithoutOwner as Flow },
]
