import { describe, expect, it } from 'vitest'
import { renderActions } from '../../server/cli/actions-table.ts'

describe('the CLI actions table', () => {
  it('counts by status and prints each call as Name=value pairs, or why there was none', () => {
    const text = renderActions('make-private', [
      {
        resourceId: 'db-b',
        accountId: '123456789012',
        region: 'us-east-1',
        status: 'dry-run',
        calls: [
          {
            operation: 'ModifyDBInstance',
            input: { DBInstanceIdentifier: 'db-b', PubliclyAccessible: false, Tags: [{ Key: 'k' }] },
          },
        ],
      },
      {
        resourceId: 'db-a',
        accountId: null,
        region: 'us-east-1',
        status: 'failed',
        calls: [],
        error: { code: 'InvalidParameters', message: 'no DBInstanceIdentifier' },
      },
      { resourceId: 'db-c', region: 'eu-west-1', status: 'skipped', reason: 'nothing to change' },
    ])
    const lines = text.split('\n')
    expect(lines[0]).toBe('make-private: 1 dry-run, 1 failed, 1 skipped')
    expect(lines[1]).toMatch(/^STATUS\s+RESOURCE\s+ACCOUNT\s+REGION\s+CALL$/)
    // Sorted by region, then resource; a missing account shows as "-".
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/^SKIPPED\s+db-c\s+-\s+eu-west-1\s+nothing to change$/),
      expect.stringMatching(/^FAILED\s+db-a\s+-\s+us-east-1\s+InvalidParameters: no DBInstanceIdentifier$/),
      expect.stringMatching(
        /^DRY-RUN\s+db-b\s+123456789012\s+us-east-1\s+ModifyDBInstance DBInstanceIdentifier=db-b PubliclyAccessible=false Tags=\[\{"Key":"k"\}\]$/
      ),
    ])
  })

  it('a failed call keeps the call and adds the error; a long call is cut with an ellipsis', () => {
    const text = renderActions('act', [
      {
        resourceId: 'sg-1',
        status: 'failed',
        calls: [
          { operation: 'RevokeSecurityGroupIngress', input: { GroupId: 'sg-1', Note: 'x'.repeat(300) } },
        ],
        error: { code: 'UnauthorizedOperation', message: 'denied' },
      },
    ])
    const row = text.split('\n')[3]!
    expect(row).toMatch(/RevokeSecurityGroupIngress GroupId=sg-1 Note=x+… \(UnauthorizedOperation: denied\)$/)
    expect(row.length).toBeLessThan(250)
  })

  it('a call made once for several resources says, on the others, which resource made it', () => {
    const call = { operation: 'RevokeSecurityGroupIngress', input: { GroupId: 'sg-1' } }
    const text = renderActions('revoke', [
      { resourceId: 'db-a', region: 'us-east-1', status: 'succeeded', calls: [call] },
      {
        resourceId: 'db-b',
        region: 'us-east-1',
        status: 'succeeded',
        calls: [call],
        note: 'already done by db-a (the same call, made once)',
      },
    ])
    expect(text.split('\n').slice(3)).toEqual([
      expect.stringMatching(/^SUCCEEDED\s+db-a\s+-\s+us-east-1\s+RevokeSecurityGroupIngress GroupId=sg-1$/),
      expect.stringMatching(/GroupId=sg-1 \(already done by db-a \(the same call, made once\)\)$/),
    ])
  })

  it('an action with no input says so', () => {
    expect(renderActions('act', [])).toBe('act: no resources')
  })
})
