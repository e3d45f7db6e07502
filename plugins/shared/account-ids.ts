/**
 * The account a connector or CSPM knows a resource by: the 12-digit AWS account id when it is known
 * (`_qflow.awsAccountId`, stamped by the AWS Resource node from the account record), else qflow's
 * own account id (`_qflow.accountId`, e.g. a snapshot account made without one). qflow's id alone
 * would name "prod" or "demo", which means nothing outside qflow. Every node that reports
 * `accountId` per resource uses this, so control results and action results agree.
 */
export function reportedAccountId(meta: Record<string, unknown> | undefined): string | null {
  // Two reads, not a list of both: this runs for every resource.
  const awsAccountId = meta?.awsAccountId
  if (typeof awsAccountId === 'string' && awsAccountId !== '') return awsAccountId
  const accountId = meta?.accountId
  return typeof accountId === 'string' && accountId !== '' ? accountId : null
}
