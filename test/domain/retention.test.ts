import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  applyRetention,
  describePolicy,
  groupKey,
  hasKeepRule,
  isoWeek,
  KEEP_REASONS,
  parseKeepCount,
  RetentionPolicyError,
  UNLIMITED,
  validatePolicy,
  type KeepReason,
  type RetentionCandidate,
  type RetentionDecision,
  type RetentionPolicy,
} from '../../src/domain/retention.ts';
import { UsageError } from '../../src/domain/errors.ts';

// ---------------------------------------------------------------------------------------
// helpers

type Snap = RetentionCandidate & { host?: string };

/** '2024-03-13 18:00' -> id '20240313T1800', created 2024-03-13T18:00:00Z */
function snap(stamp: string, extra: Partial<Snap> & { suffix?: string } = {}): Snap {
  const { suffix = '', ...rest } = extra;
  return {
    id: stamp.replace(/[-:]/g, '').replace(' ', 'T') + suffix,
    created: new Date(`${stamp.replace(' ', 'T')}:00Z`),
    kind: 'scheduled',
    tags: [],
    ...rest,
  };
}

function keptIds(decisions: RetentionDecision<Snap>[]): string[] {
  return decisions.filter((d) => d.keep).map((d) => d.snapshot.id);
}

function reasonsById(decisions: RetentionDecision<Snap>[]): Record<string, KeepReason[]> {
  return Object.fromEntries(decisions.filter((d) => d.keep).map((d) => [d.snapshot.id, d.reasons]));
}

const isPolicyError = (e: unknown): boolean => e instanceof RetentionPolicyError;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------
// hand-checked examples

test('keep-last 3 keeps the three newest snapshots and removes the other seven', () => {
  const timeline = [
    snap('2024-05-01 10:00'),
    snap('2024-05-01 11:00'),
    snap('2024-05-02 09:00'),
    snap('2024-05-03 09:00'),
    snap('2024-05-03 09:01'),
    snap('2024-05-04 23:00'),
    snap('2024-05-06 00:00'),
    snap('2024-05-06 08:00'),
    snap('2024-05-07 12:00'),
    snap('2024-05-08 06:30'),
  ];
  // newest first: 0508T0630, 0507T1200, 0506T0800 | 0506T0000, ... removed
  const decisions = applyRetention(timeline, { last: 3 });
  assert.equal(keptIds(decisions), ['20240508T0630', '20240507T1200', '20240506T0800']);
  assert.equal(reasonsById(decisions), {
    '20240508T0630': ['last'],
    '20240507T1200': ['last'],
    '20240506T0800': ['last'],
  });
  assert.is(decisions.filter((d) => !d.keep).length, 7);
  for (const d of decisions.filter((x) => !x.keep)) assert.equal(d.reasons, []);
});

// Several snapshots per day, days 03-04 and 07-09 missing.
const dailyTimeline = [
  snap('2024-03-01 08:00'),
  snap('2024-03-01 12:00'),
  snap('2024-03-01 23:59'),
  snap('2024-03-02 00:00'),
  snap('2024-03-02 09:30'),
  snap('2024-03-05 10:00'),
  snap('2024-03-06 01:00'),
  snap('2024-03-06 13:00'),
  snap('2024-03-06 22:00'),
  snap('2024-03-10 00:30'),
  snap('2024-03-10 23:30'),
  snap('2024-03-11 06:00'),
  snap('2024-03-11 18:00'),
];

test('keep-daily 4 keeps the newest snapshot of each of the 4 most recent days that have snapshots, skipping empty days', () => {
  // days with snapshots, newest first: 11 (18:00), 10 (23:30), 06 (22:00), 05 (10:00) | 02, 01
  const decisions = applyRetention(dailyTimeline, { daily: 4 });
  assert.equal(keptIds(decisions), ['20240311T1800', '20240310T2330', '20240306T2200', '20240305T1000']);
  for (const id of keptIds(decisions)) assert.equal(reasonsById(decisions)[id], ['daily']);
});

test('keep-daily with more slots than days keeps one snapshot per day and does not add the oldest snapshot of the group (unlike restic)', () => {
  // 6 days have snapshots; 23:59 on the 1st and 00:00 on the 2nd are different UTC days.
  // restic would also keep 0301T0800 as "oldest daily snapshot"; ripcord does not.
  const decisions = applyRetention(dailyTimeline, { daily: 10 });
  assert.equal(keptIds(decisions), [
    '20240311T1800',
    '20240310T2330',
    '20240306T2200',
    '20240305T1000',
    '20240302T0930',
    '20240301T2359',
  ]);
});

test('keep-daily unlimited (-1) keeps the newest snapshot of every day', () => {
  const decisions = applyRetention(dailyTimeline, { daily: UNLIMITED });
  assert.equal(
    keptIds(decisions),
    applyRetention(dailyTimeline, { daily: 10 })
      .filter((d) => d.keep)
      .map((d) => d.snapshot.id),
  );
});

test('buckets are UTC: the machine time zone does not change which snapshots are kept', () => {
  const saved = process.env.TZ;
  const expected = ['20240311T1800', '20240310T2330', '20240306T2200', '20240305T1000'];
  try {
    for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kolkata']) {
      process.env.TZ = tz;
      if (tz === 'Pacific/Kiritimati')
        assert.is(new Date('2024-03-10T23:30:00Z').getDate(), 11, 'TZ switch took effect');
      assert.equal(keptIds(applyRetention(dailyTimeline, { daily: 4 })), expected, tz);
    }
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('keep-hourly keeps the newest snapshot of each of the N most recent UTC hours', () => {
  const timeline = [
    snap('2024-03-10 22:05'),
    snap('2024-03-10 22:55'),
    snap('2024-03-10 23:00'),
    snap('2024-03-10 23:59'),
    snap('2024-03-11 00:00'),
    snap('2024-03-11 00:10'),
    snap('2024-03-11 02:30'),
    snap('2024-03-11 02:45'),
  ];
  // hours newest first: 11T02 (02:45), 11T00 (00:10), 10T23 (23:59) | 10T22
  assert.equal(keptIds(applyRetention(timeline, { hourly: 3 })), ['20240311T0245', '20240311T0010', '20240310T2359']);
});

// Dec 2020 / Jan 2021: 2020 has an ISO week 53 (Mon 2020-12-28 .. Sun 2021-01-03).
const weeklyTimeline = [
  snap('2020-12-14 10:00'), // Mon, 2020-W51
  snap('2020-12-20 10:00'), // Sun, 2020-W51
  snap('2020-12-21 09:00'), // Mon, 2020-W52
  snap('2020-12-24 09:00'), // Thu, 2020-W52
  snap('2020-12-28 00:00'), // Mon, 2020-W53
  snap('2020-12-31 12:00'), // Thu, 2020-W53
  snap('2021-01-01 12:00'), // Fri, 2020-W53 (calendar year 2021!)
  snap('2021-01-03 23:59'), // Sun, 2020-W53
  snap('2021-01-04 00:00'), // Mon, 2021-W01
  snap('2021-01-06 08:00'), // Wed, 2021-W01
  snap('2021-01-10 20:00'), // Sun, 2021-W01
  snap('2021-01-12 07:00'), // Tue, 2021-W02
];

test('isoWeek follows ISO 8601 across year boundaries (week 53, week 1 in the previous December)', () => {
  assert.equal(isoWeek(new Date('2020-12-31T12:00:00Z')), { year: 2020, week: 53 });
  assert.equal(isoWeek(new Date('2021-01-01T12:00:00Z')), { year: 2020, week: 53 });
  assert.equal(isoWeek(new Date('2021-01-03T23:59:59Z')), { year: 2020, week: 53 });
  assert.equal(isoWeek(new Date('2021-01-04T00:00:00Z')), { year: 2021, week: 1 });
  assert.equal(isoWeek(new Date('2019-12-30T00:00:00Z')), { year: 2020, week: 1 });
  assert.equal(isoWeek(new Date('2024-12-30T08:00:00Z')), { year: 2025, week: 1 });
  assert.equal(isoWeek(new Date('2023-01-01T08:00:00Z')), { year: 2022, week: 52 });
});

test('keep-weekly 3 uses ISO weeks: Dec 31 and Jan 1 share week 2020-W53, so only its newest (Jan 3) is kept', () => {
  // weeks newest first: 2021-W02 (01-12 07:00), 2021-W01 (01-10 20:00), 2020-W53 (01-03 23:59) | W52, W51
  const decisions = applyRetention(weeklyTimeline, { weekly: 3 });
  assert.equal(keptIds(decisions), ['20210112T0700', '20210110T2000', '20210103T2359']);
});

test('keep-weekly 5 reaches back over the year boundary to weeks 52 and 51 of 2020', () => {
  // + 2020-W52 (12-24 09:00), 2020-W51 (12-20 10:00)
  const decisions = applyRetention(weeklyTimeline, { weekly: 5 });
  assert.equal(keptIds(decisions), [
    '20210112T0700',
    '20210110T2000',
    '20210103T2359',
    '20201224T0900',
    '20201220T1000',
  ]);
});

const monthlyTimeline = [
  snap('2023-11-05 10:00'),
  snap('2023-11-28 10:00'),
  snap('2023-12-31 23:59'),
  snap('2024-01-01 00:00'),
  snap('2024-01-15 12:00'),
  snap('2024-01-31 23:00'),
  snap('2024-02-10 08:00'),
  snap('2024-02-29 18:00'),
  // no snapshot in March
  snap('2024-04-01 09:00'),
  snap('2024-04-30 23:59'),
  snap('2024-05-02 10:00'),
];

test('keep-monthly 4 keeps the newest snapshot of each of the 4 most recent months that have snapshots', () => {
  // months newest first: 2024-05 (05-02), 2024-04 (04-30 23:59), 2024-02 (02-29), 2024-01 (01-31) | 2023-12, 2023-11
  const decisions = applyRetention(monthlyTimeline, { monthly: 4 });
  assert.equal(keptIds(decisions), ['20240502T1000', '20240430T2359', '20240229T1800', '20240131T2300']);
});

test('keep-monthly unlimited (-1) keeps the newest snapshot of every month', () => {
  const decisions = applyRetention(monthlyTimeline, { monthly: -1 });
  assert.equal(keptIds(decisions), [
    '20240502T1000',
    '20240430T2359',
    '20240229T1800',
    '20240131T2300',
    '20231231T2359',
    '20231128T1000',
  ]);
});

const yearlyTimeline = [
  snap('2019-03-01 10:00'),
  snap('2019-12-31 23:59'),
  snap('2020-01-01 00:00'),
  snap('2020-06-15 12:00'),
  // no snapshot in 2021
  snap('2022-02-02 12:00'),
  snap('2022-11-11 11:00'),
  snap('2022-12-31 23:00'),
  snap('2023-07-07 07:00'),
  snap('2024-01-01 00:30'),
  snap('2024-05-05 05:00'),
];

test('keep-yearly 3 keeps the newest snapshot of each of the 3 most recent years that have snapshots', () => {
  // years newest first: 2024 (05-05), 2023 (07-07), 2022 (12-31 23:00) | 2020, 2019
  assert.equal(keptIds(applyRetention(yearlyTimeline, { yearly: 3 })), [
    '20240505T0500',
    '20230707T0700',
    '20221231T2300',
  ]);
});

test('keep-yearly 5 skips the empty year 2021 and keeps 2020 and 2019', () => {
  assert.equal(keptIds(applyRetention(yearlyTimeline, { yearly: 5 })), [
    '20240505T0500',
    '20230707T0700',
    '20221231T2300',
    '20200615T1200',
    '20191231T2359',
  ]);
});

const withinTimeline = [
  snap('2024-05-20 12:00'),
  snap('2024-06-01 12:00'),
  snap('2024-06-08 11:00'),
  snap('2024-06-08 12:00'), // exactly 2d before the newest: not "within"
  snap('2024-06-09 12:01'), // 1d23h59m before the newest
  snap('2024-06-10 06:00'),
  snap('2024-06-10 12:00'), // newest
];

test('keep-within 2d keeps snapshots less than 2 days older than the newest of the group (the boundary is excluded)', () => {
  const decisions = applyRetention(withinTimeline, { within: 2 * DAY });
  assert.equal(keptIds(decisions), ['20240610T1200', '20240610T0600', '20240609T1201']);
  for (const id of keptIds(decisions)) assert.equal(reasonsById(decisions)[id], ['within']);
});

test('keep-within is measured from the newest snapshot of each group, not from the newest overall', () => {
  const timeline = [
    ...withinTimeline,
    snap('2023-12-30 12:00', { kind: 'manual' }),
    snap('2023-12-31 12:00', { kind: 'manual' }),
    snap('2024-01-01 12:00', { kind: 'manual' }),
  ];
  // manual group: newest 2024-01-01 12:00; 12-31 12:00 is 1d older (kept), 12-30 12:00 is exactly 2d (removed)
  const decisions = applyRetention(timeline, { within: 2 * DAY });
  assert.equal(keptIds(decisions), [
    '20240610T1200',
    '20240610T0600',
    '20240609T1201',
    '20240101T1200',
    '20231231T1200',
  ]);
});

test('keep-within with options.now ignores a snapshot dated in the future as the anchor', () => {
  const timeline = [...withinTimeline, snap('2030-01-01 00:00')]; // a runner with a broken clock
  // Without now: anchored at 2030, nothing else is within 2d; only the 2030 snapshot survives.
  assert.equal(keptIds(applyRetention(timeline, { within: 2 * DAY })), ['20300101T0000']);
  // With now: anchored at the newest snapshot not after now (2024-06-10 12:00); the future one is kept too.
  const now = new Date('2024-06-11T00:00:00Z');
  assert.equal(keptIds(applyRetention(timeline, { within: 2 * DAY }, { now })), [
    '20300101T0000',
    '20240610T1200',
    '20240610T0600',
    '20240609T1201',
  ]);
});

test('keep-tag keeps every snapshot carrying any listed tag; since tags are part of the group it keeps whole groups', () => {
  const timeline = [
    snap('2024-02-01 10:00'),
    snap('2024-02-02 10:00', { kind: 'pre-deploy', tags: ['release', 'v1'] }),
    snap('2024-02-03 10:00'),
    snap('2024-02-04 10:00', { kind: 'pre-deploy', tags: ['v1', 'release'] }),
    snap('2024-02-05 10:00', { kind: 'pre-deploy', tags: ['v2'] }),
    snap('2024-02-06 10:00'),
    snap('2024-02-07 10:00', { kind: 'pre-deploy', tags: ['release', 'v1'] }),
    snap('2024-02-08 10:00', { kind: 'pre-deploy', tags: ['v2'] }),
    snap('2024-02-09 10:00'),
    snap('2024-02-10 10:00', { kind: 'manual', tags: ['keep'] }),
  ];
  // groups: scheduled/[] {01,03,06,09}; pre-deploy/[release,v1] {02,04,07}; pre-deploy/[v2] {05,08}; manual/[keep] {10}
  // last 1 -> 09, 07, 08, 10; tag (release|keep) -> 02, 04, 07, 10
  const decisions = applyRetention(timeline, { last: 1, tags: ['release', 'keep'] });
  assert.equal(reasonsById(decisions), {
    '20240210T1000': ['last', 'tag'],
    '20240209T1000': ['last'],
    '20240208T1000': ['last'],
    '20240207T1000': ['last', 'tag'],
    '20240204T1000': ['tag'],
    '20240202T1000': ['tag'],
  });
  assert.equal(keptIds(decisions), [
    '20240210T1000',
    '20240209T1000',
    '20240208T1000',
    '20240207T1000',
    '20240204T1000',
    '20240202T1000',
  ]);
});

test('combined rules: a snapshot kept by several rules lists every reason in a fixed order', () => {
  // 2024-W11 = Mon 03-11 .. Sun 03-17, W10 = 03-04 .. 03-10, W09 = 02-26 .. 03-03
  const timeline = [
    snap('2024-02-10 12:00'),
    snap('2024-02-20 12:00'),
    snap('2024-03-01 12:00'), // W09
    snap('2024-03-03 12:00'), // W09 (Sun)
    snap('2024-03-07 12:00'), // W10
    snap('2024-03-10 10:00'), // W10 (Sun)
    snap('2024-03-10 22:00'), // W10 (Sun), newest of W10
    snap('2024-03-11 08:00'), // W11 (Mon)
    snap('2024-03-12 07:00'),
    snap('2024-03-12 20:00'),
    snap('2024-03-13 09:00'),
    snap('2024-03-13 18:00'), // newest
  ];
  // last 2   -> 0313T1800, 0313T0900
  // daily 3  -> days 13 (1800), 12 (2000), 11 (0800)
  // weekly 2 -> W11 (0313T1800), W10 (0310T2200)
  const decisions = applyRetention(timeline, { weekly: 2, last: 2, daily: 3 });
  assert.equal(reasonsById(decisions), {
    '20240313T1800': ['last', 'daily', 'weekly'],
    '20240313T0900': ['last'],
    '20240312T2000': ['daily'],
    '20240311T0800': ['daily'],
    '20240310T2200': ['weekly'],
  });
  assert.equal(keptIds(decisions), [
    '20240313T1800',
    '20240313T0900',
    '20240312T2000',
    '20240311T0800',
    '20240310T2200',
  ]);
  assert.is(decisions.length, 12);
});

test('grouping by kind + tags: each group is pruned independently, tag order does not matter', () => {
  const prod = (stamp: string, tags: string[]) => snap(stamp, { kind: 'pre-deploy', tags, suffix: 'p' });
  const timeline = [
    snap('2024-01-01 00:00'),
    prod('2024-01-01 06:00', ['env:prod', 'app:web']),
    snap('2024-01-02 00:00'),
    prod('2024-01-02 06:00', ['app:web', 'env:prod']),
    snap('2024-01-03 00:00'),
    prod('2024-01-03 06:00', ['env:prod', 'app:web', 'env:prod']),
    snap('2024-01-04 00:00'),
    prod('2024-01-04 06:00', ['env:staging', 'app:web']), // its own group
    snap('2024-01-05 00:00'),
    snap('2024-01-05 12:00', { kind: 'manual' }), // its own group
  ];
  // last 2 per group: scheduled -> 0105, 0104; pre-deploy prod -> 0103, 0102; staging -> 0104 (newest); manual -> 0105T1200 (last)
  const decisions = applyRetention(timeline, { last: 2 });
  assert.equal(reasonsById(decisions), {
    '20240105T1200': ['last'],
    '20240105T0000': ['last'],
    '20240104T0600p': ['last'],
    '20240104T0000': ['last'],
    '20240103T0600p': ['last'],
    '20240102T0600p': ['last'],
  });
  const groups = new Set(decisions.map((d) => d.group));
  assert.is(groups.size, 4);
  assert.is(groupKey(timeline[1]!), groupKey(timeline[3]!));
  assert.is(groupKey(timeline[1]!), '{"kind":"pre-deploy","tags":["app:web","env:prod"]}');
});

test('hosts are ignored: snapshots from different CI runners of the same kind and tags form one group', () => {
  const timeline = Array.from({ length: 8 }, (_, i) =>
    snap(`2024-04-0${i + 1} 03:00`, { host: `gha-runner-${(i * 7919).toString(36)}-${i}` }),
  );
  // one group: last 2 keeps 0408 and 0407 only
  const decisions = applyRetention(timeline, { last: 2 });
  assert.equal(keptIds(decisions), ['20240408T0300', '20240407T0300']);
  assert.is(new Set(decisions.map((d) => d.group)).size, 1);
  assert.is(groupKey({ ...timeline[0]!, host: 'a' } as Snap), groupKey({ ...timeline[0]!, host: 'b' } as Snap));
});

test('the newest snapshot of a group is kept with reason "newest" when no rule keeps it', () => {
  const timeline = [
    snap('2024-01-01 00:00'),
    snap('2024-01-02 00:00'),
    snap('2024-01-03 00:00', { kind: 'manual', tags: ['release'] }),
  ];
  // only rule: keep tag "release"; the scheduled group has no such tag, its newest survives anyway
  const decisions = applyRetention(timeline, { tags: ['release'] });
  assert.equal(reasonsById(decisions), { '20240103T0000': ['tag'], '20240102T0000': ['newest'] });
});

test('pinned snapshots are always kept, with reason "pinned" next to any other reason', () => {
  const timeline = [
    snap('2024-01-01 00:00', { kind: 'pre-deploy', pinned: true }),
    snap('2024-01-02 00:00', { kind: 'pre-deploy' }),
    snap('2024-01-03 00:00', { kind: 'pre-deploy', pinned: true }),
    snap('2024-01-04 00:00', { kind: 'pre-deploy' }),
    snap('2024-01-05 00:00', { kind: 'pre-deploy', pinned: true }),
  ];
  const decisions = applyRetention(timeline, { last: 1 });
  assert.equal(reasonsById(decisions), {
    '20240105T0000': ['last', 'pinned'],
    '20240103T0000': ['pinned'],
    '20240101T0000': ['pinned'],
  });
});

test('decisions come newest first, equal times ordered by id, and keep the caller objects', () => {
  const a = snap('2024-01-01 00:00', { suffix: 'a' });
  const b = snap('2024-01-01 00:00', { suffix: 'b' });
  const c = snap('2023-12-31 00:00');
  const decisions = applyRetention([a, c, b], { last: 1 });
  assert.equal(
    decisions.map((d) => d.snapshot.id),
    ['20240101T0000b', '20240101T0000a', '20231231T0000'],
  );
  assert.ok(decisions[0]!.snapshot === b);
  assert.equal(keptIds(decisions), ['20240101T0000b']);
});

test('an empty list gives no decisions', () => {
  assert.equal(applyRetention([], { last: 1 }), []);
});

test('a snapshot with an invalid creation date is rejected rather than guessed at', () => {
  const bad = { ...snap('2024-01-01 00:00'), created: new Date('nope') };
  assert.throws(() => applyRetention([bad], { last: 1 }), /20240101T0000/);
});

// ---------------------------------------------------------------------------------------
// policy validation

test('validatePolicy refuses a policy with no keep rule (empty, zero counts, zero within, no tags)', () => {
  for (const policy of [{}, { daily: 0, last: 0 }, { within: 0 }, { tags: [] }] as RetentionPolicy[]) {
    assert.throws(
      () => validatePolicy(policy),
      (e: unknown) => e instanceof RetentionPolicyError && /keep rule/.test(e.message),
    );
    assert.throws(() => applyRetention([snap('2024-01-01 00:00')], policy), isPolicyError);
    assert.is(hasKeepRule(policy), false);
  }
});

test('validatePolicy rejects negative counts other than -1, fractions, NaN and bad durations or tags, naming the flag', () => {
  const cases: [RetentionPolicy, RegExp][] = [
    [{ daily: -2 }, /--keep-daily.*-2/],
    [{ weekly: 1.5 }, /--keep-weekly.*1\.5/],
    [{ last: Number.NaN }, /--keep-last/],
    [{ yearly: Infinity }, /--keep-yearly/],
    [{ monthly: '3' as unknown as number }, /--keep-monthly/],
    [{ within: -1 }, /--keep-within/],
    [{ within: Number.NaN }, /--keep-within/],
    [{ tags: [''] }, /--keep-tag/],
  ];
  for (const [policy, message] of cases) {
    assert.throws(
      () => validatePolicy(policy),
      (e: unknown) => e instanceof RetentionPolicyError && message.test(e.message),
    );
  }
});

test('RetentionPolicyError is a usage error (exit code 2)', () => {
  try {
    validatePolicy({});
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.is((e as UsageError).exitCode, 2);
  }
});

test('validatePolicy accepts -1 (unlimited) and any single keep rule', () => {
  for (const policy of [{ daily: -1 }, { last: 1 }, { within: 1 }, { tags: ['x'] }, { hourly: 0, yearly: 2 }]) {
    validatePolicy(policy);
    assert.ok(hasKeepRule(policy));
  }
});

test('parseKeepCount reads whole numbers and "unlimited" and rejects the rest', () => {
  assert.is(parseKeepCount('7'), 7);
  assert.is(parseKeepCount('0'), 0);
  assert.is(parseKeepCount('unlimited'), UNLIMITED);
  assert.throws(() => parseKeepCount('-1', '--keep-daily'), /--keep-daily.*"unlimited"/);
  for (const bad of ['', 'seven', '1.5', '3d', '1e3']) assert.throws(() => parseKeepCount(bad), isPolicyError);
});

test('describePolicy summarises the rules in one line', () => {
  assert.is(
    describePolicy({ last: 3, daily: 7, weekly: -1, within: 30 * DAY, tags: ['release'] }),
    'keep the last 3, 7 daily, all weekly snapshots, all snapshots within 30d of the newest of their group, all snapshots tagged release',
  );
});

// ---------------------------------------------------------------------------------------
// properties over random timelines

const BASE = Date.UTC(2022, 0, 1);
const KINDS = ['scheduled', 'manual', 'pre-deploy'];
const TAGS = ['a', 'b', 'c'];

interface Raw {
  offset: number;
  kind: string;
  tags: string[];
  pinned: boolean;
  host: string;
}

/** Spans from 3 years (months/years/weeks collide) down to 2 days (hours/days collide). */
const SPANS = [3 * 365 * DAY, 120 * DAY, 20 * DAY, 2 * DAY];

const rawArb = (span: number): fc.Arbitrary<Raw> =>
  fc.record({
    offset: fc.oneof(
      fc.integer({ min: 0, max: span }),
      fc.integer({ min: 0, max: 20 }).map((n) => Math.floor((n / 20) * span)), // exact ties
    ),
    kind: fc.constantFrom(...KINDS),
    tags: fc.array(fc.constantFrom(...TAGS), { maxLength: 4 }), // any order, duplicates possible
    pinned: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), // mostly unpinned
    host: fc.string({ maxLength: 6 }),
  });

/** Ids: ISO time + a counter, assigned in chronological order so they sort like the times. */
function toSnaps(raws: Raw[]): Snap[] {
  const order = raws
    .map((raw, index) => ({ raw, index }))
    .sort((x, y) => x.raw.offset - y.raw.offset || x.index - y.index);
  const snaps: Snap[] = new Array(raws.length);
  order.forEach(({ raw, index }, rank) => {
    const created = new Date(BASE + raw.offset);
    snaps[index] = {
      id: `${created.toISOString()}-${String(rank).padStart(4, '0')}`,
      created,
      kind: raw.kind,
      tags: raw.tags,
      pinned: raw.pinned,
      host: raw.host,
    };
  });
  return snaps;
}

const timelineArb: fc.Arbitrary<Snap[]> = fc
  .constantFrom(...SPANS)
  .chain((span) => fc.array(rawArb(span), { maxLength: 200, size: 'max' }))
  .map(toSnaps);

/** Each rule is absent most of the time, so single-rule and tag-only policies come up often. */
const absent = { arbitrary: fc.constant(undefined), weight: 4 };
const countArb = fc.oneof(absent, fc.integer({ min: 0, max: 12 }), fc.constant(UNLIMITED));
const policyArb: fc.Arbitrary<RetentionPolicy> = fc
  .record({
    last: countArb,
    hourly: countArb,
    daily: countArb,
    weekly: countArb,
    monthly: countArb,
    yearly: countArb,
    within: fc.oneof(absent, fc.constant(0), fc.integer({ min: 1, max: 400 * DAY })),
    tags: fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, fc.subarray([...TAGS, 'z'])),
  })
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as RetentionPolicy)
  .filter(hasKeepRule);

// --- the model: obviously correct, written independently of the implementation ---------

function newestFirst(a: Snap, b: Snap): number {
  return b.created.getTime() - a.created.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function modelGroups(snaps: Snap[]): Map<string, Snap[]> {
  const groups = new Map<string, Snap[]>();
  for (const s of snaps) {
    const key = `${s.kind}\u0000${[...new Set(s.tags)].sort().join('\u0000')}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const members of groups.values()) members.sort(newestFirst);
  return groups;
}

const MODEL_BUCKET: Record<'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', (s: Snap) => string> = {
  last: (s) => s.id,
  hourly: (s) => s.created.toISOString().slice(0, 13), // 2024-03-10T23
  daily: (s) => s.created.toISOString().slice(0, 10), // 2024-03-10
  // ISO weeks run Monday..Sunday; 1970-01-01 was a Thursday, so +3 days puts Mondays at multiples of 7.
  weekly: (s) => String(Math.floor((Math.floor(s.created.getTime() / DAY) + 3) / 7)),
  monthly: (s) => s.created.toISOString().slice(0, 7), // 2024-03
  yearly: (s) => s.created.toISOString().slice(0, 4),
};

/** For each group: the newest snapshot of each of the n most recent buckets that have one. */
function modelBucketRule(snaps: Snap[], rule: keyof typeof MODEL_BUCKET, n: number): Set<string> {
  const kept = new Set<string>();
  for (const members of modelGroups(snaps).values()) {
    const newestPerBucket = new Map<string, Snap>(); // insertion order = most recent bucket first
    for (const s of members)
      if (!newestPerBucket.has(MODEL_BUCKET[rule](s))) newestPerBucket.set(MODEL_BUCKET[rule](s), s);
    const chosen = [...newestPerBucket.values()].slice(0, n === UNLIMITED ? undefined : n);
    for (const s of chosen) kept.add(s.id);
  }
  return kept;
}

function modelWithin(snaps: Snap[], within: number): Set<string> {
  const kept = new Set<string>();
  for (const members of modelGroups(snaps).values()) {
    const newest = members[0]!.created.getTime();
    for (const s of members) if (newest - s.created.getTime() < within) kept.add(s.id);
  }
  return kept;
}

function modelNewest(snaps: Snap[]): Set<string> {
  return new Set([...modelGroups(snaps).values()].map((members) => members[0]!.id));
}

function withReason(decisions: RetentionDecision<Snap>[], reason: KeepReason): Set<string> {
  return new Set(decisions.filter((d) => d.reasons.includes(reason)).map((d) => d.snapshot.id));
}

function keptSet(decisions: RetentionDecision<Snap>[]): Set<string> {
  return new Set(keptIds(decisions));
}

const sorted = (set: Set<string>): string[] => [...set].sort();

const RUNS = { numRuns: 300 };

for (const rule of ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const) {
  test(`property: keep-${rule} N keeps exactly the newest snapshot of each of the N most recent ${rule === 'last' ? 'snapshots' : 'buckets'} per group (plus newest and pinned)`, () => {
    fc.assert(
      fc.property(timelineArb, fc.oneof(fc.integer({ min: 1, max: 15 }), fc.constant(UNLIMITED)), (snaps, n) => {
        const decisions = applyRetention(snaps, { [rule]: n });
        const expected = modelBucketRule(snaps, rule, n);
        assert.equal(sorted(withReason(decisions, rule)), sorted(expected));
        const pinned = snaps.filter((s) => s.pinned).map((s) => s.id);
        assert.equal(sorted(keptSet(decisions)), sorted(new Set([...expected, ...modelNewest(snaps), ...pinned])));
      }),
      RUNS,
    );
  });
}

test('property: keep-within keeps exactly the snapshots less than `within` older than the newest of their group', () => {
  fc.assert(
    fc.property(timelineArb, fc.integer({ min: 1, max: 400 * DAY }), (snaps, within) => {
      const decisions = applyRetention(snaps, { within });
      const expected = modelWithin(snaps, within);
      assert.equal(sorted(withReason(decisions, 'within')), sorted(expected));
      const pinned = snaps.filter((s) => s.pinned).map((s) => s.id);
      assert.equal(sorted(keptSet(decisions)), sorted(new Set([...expected, ...pinned])));
    }),
    RUNS,
  );
});

test('property: keep-tag keeps exactly the snapshots carrying one of the tags', () => {
  fc.assert(
    fc.property(timelineArb, fc.subarray([...TAGS, 'z'], { minLength: 1 }), (snaps, tags) => {
      const decisions = applyRetention(snaps, { tags });
      const expected = new Set(snaps.filter((s) => s.tags.some((t) => tags.includes(t))).map((s) => s.id));
      assert.equal(sorted(withReason(decisions, 'tag')), sorted(expected));
      const pinned = snaps.filter((s) => s.pinned).map((s) => s.id);
      assert.equal(sorted(keptSet(decisions)), sorted(new Set([...expected, ...modelNewest(snaps), ...pinned])));
    }),
    RUNS,
  );
});

test('property: the newest snapshot of every group and every pinned snapshot are kept', () => {
  fc.assert(
    fc.property(timelineArb, policyArb, (snaps, policy) => {
      const decisions = applyRetention(snaps, policy);
      const kept = keptSet(decisions);
      for (const id of modelNewest(snaps)) assert.ok(kept.has(id), `newest ${id} kept`);
      for (const s of snaps) if (s.pinned) assert.ok(kept.has(s.id), `pinned ${s.id} kept`);
      for (const d of decisions) assert.is(d.reasons.includes('pinned'), d.snapshot.pinned === true);
    }),
    RUNS,
  );
});

test('property: kept snapshots have at least one reason, removed ones none; "newest" appears alone and only on the newest of a group', () => {
  fc.assert(
    fc.property(timelineArb, policyArb, (snaps, policy) => {
      const decisions = applyRetention(snaps, policy);
      const newest = modelNewest(snaps);
      for (const d of decisions) {
        assert.is(d.keep, d.reasons.length > 0);
        // no duplicates, canonical order
        assert.equal(
          d.reasons,
          KEEP_REASONS.filter((r) => d.reasons.includes(r)),
        );
        if (d.reasons.includes('newest')) {
          assert.ok(newest.has(d.snapshot.id));
          assert.equal(d.reasons, ['newest']);
        }
        assert.is(d.group, groupKey(d.snapshot));
      }
    }),
    RUNS,
  );
});

test('property: the result is a permutation of the input, newest first, with the same objects', () => {
  fc.assert(
    fc.property(timelineArb, policyArb, (snaps, policy) => {
      const decisions = applyRetention(snaps, policy);
      assert.is(decisions.length, snaps.length);
      assert.equal(decisions.map((d) => d.snapshot.id).sort(), snaps.map((s) => s.id).sort());
      const objects = new Set<Snap>(snaps);
      for (const d of decisions) assert.ok(objects.has(d.snapshot));
      for (let i = 1; i < decisions.length; i++) {
        assert.ok(newestFirst(decisions[i - 1]!.snapshot, decisions[i]!.snapshot) < 0, 'strictly newest first');
      }
    }),
    RUNS,
  );
});

test('property: the result is deterministic and independent of input order, and the input is not modified', () => {
  fc.assert(
    fc.property(
      timelineArb.chain((snaps) =>
        fc.tuple(fc.constant(snaps), fc.shuffledSubarray(snaps, { minLength: snaps.length })),
      ),
      policyArb,
      ([snaps, shuffled], policy) => {
        const before = snaps.map((s) => s.id);
        const summary = (ds: RetentionDecision<Snap>[]) => ds.map((d) => [d.snapshot.id, d.keep, d.reasons, d.group]);
        const first = applyRetention(snaps, policy);
        assert.equal(summary(applyRetention(snaps, policy)), summary(first));
        assert.equal(summary(applyRetention(shuffled, policy)), summary(first));
        assert.equal(
          snaps.map((s) => s.id),
          before,
        );
      },
    ),
    RUNS,
  );
});

test('property: a combined policy keeps the union of what each single rule keeps (each rule is independent)', () => {
  fc.assert(
    fc.property(timelineArb, policyArb, (snaps, policy) => {
      const combined = applyRetention(snaps, policy);
      const singles: RetentionPolicy[] = [];
      for (const [key, value] of Object.entries(policy) as [keyof RetentionPolicy, unknown][]) {
        const single = { [key]: value } as RetentionPolicy;
        if (hasKeepRule(single)) singles.push(single);
      }
      const union = new Set<string>();
      for (const single of singles) {
        const decisions = applyRetention(snaps, single);
        for (const id of keptSet(decisions)) union.add(id);
        // the rule gives exactly the same reasons alone as combined with others
        const reason: KeepReason = 'tags' in single ? 'tag' : (Object.keys(single)[0] as KeepReason);
        assert.equal(sorted(withReason(combined, reason)), sorted(withReason(decisions, reason)), reason);
      }
      // singles already include newest and pinned; add them explicitly for clarity
      for (const id of modelNewest(snaps)) union.add(id);
      for (const s of snaps) if (s.pinned) union.add(s.id);
      assert.equal(sorted(keptSet(combined)), sorted(union));
    }),
    RUNS,
  );
});

test('property: an invalid count is always rejected with RetentionPolicyError', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'),
      fc.oneof(fc.integer({ max: -2 }), fc.double({ noInteger: true })),
      (rule, value) => {
        assert.throws(() => validatePolicy({ [rule]: value, tags: ['x'] }), isPolicyError);
      },
    ),
  );
});

test.run();
