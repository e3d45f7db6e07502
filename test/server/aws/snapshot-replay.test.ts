import { describe, expect, it } from 'vitest'
import { loadRecording } from '../../../server/aws/snapshot/load.ts'
import { createAnswer } from '../../../server/aws/snapshot/replay.ts'

const envelope = (fields: Record<string, number>) => ({ __class__: 'datetime', ...fields })

describe('snapshot replay: recorded dates', () => {
  it("hands the recording format's dates over as the Date the SDK would give, and leaves a broken one as recorded", async () => {
    const broken = envelope({ year: 2017, month: 13, day: 5 })
    const recording = await loadRecording({
      files: {
        'rds.DescribeDBInstances.json': {
          DBInstances: [
            {
              DBInstanceIdentifier: 'db-1',
              InstanceCreateTime: envelope({
                year: 2017,
                month: 4,
                day: 5,
                hour: 20,
                minute: 28,
                second: 25,
                microsecond: 992000,
              }),
              LatestRestorableTime: broken,
            },
          ],
        },
      },
    })
    const answer = createAnswer(recording, 'us-east-1', 'rds', { accountId: 'snap' })
    const [instance] = answer('DescribeDBInstances', {}).DBInstances as Record<string, unknown>[]
    expect(instance!.InstanceCreateTime).toEqual(new Date(Date.UTC(2017, 3, 5, 20, 28, 25, 992)))
    expect(instance!.LatestRestorableTime).toEqual(broken)
    // A fresh copy each time: a caller may change what it got.
    expect(instance!.LatestRestorableTime).not.toBe(
      (recording.responses.get('us-east-1')!.get('rds.DescribeDBInstances')![0] as any).DBInstances[0]
        .LatestRestorableTime
    )
  })
})
