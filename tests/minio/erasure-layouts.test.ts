/**
 * The erasure planner (components/erasure.ts) against MinIO itself: each layout is started as
 * real MinIO processes on 127.0.0.1, one per server with its own drive folders, and the set
 * size, set count and parity MinIO reports through `mc admin info --json` must be what
 * `planErasure` predicted. Layouts the planner refuses are started too, to show MinIO refuses
 * them as well.
 */
import { InvalidArgumentError } from "../../components/errors";
import { planErasure, type PoolLayout } from "../../components/erasure";
import {
  startExpectingRefusal,
  startMinioCluster,
  type ErasureInfo,
} from "../../tools/minio-server";
import { connectTier, type TierHandle } from "./helpers";

// Each layout starts and stops several server processes.
jest.setTimeout(180_000);

interface Layout {
  title: string;
  pools: PoolLayout[];
  parity?: number;
}

const ACCEPTED: Layout[] = [
  { title: "4 servers x 1 drive", pools: [{ servers: 4, drivesPerServer: 1 }] },
  { title: "2 servers x 4 drives", pools: [{ servers: 2, drivesPerServer: 4 }] },
  { title: "3 servers x 2 drives", pools: [{ servers: 3, drivesPerServer: 2 }] },
  { title: "1 server x 6 drives", pools: [{ servers: 1, drivesPerServer: 6 }] },
  {
    title: "two pools of 1 server x 4 drives",
    pools: [
      { servers: 1, drivesPerServer: 4 },
      { servers: 1, drivesPerServer: 4 },
    ],
  },
  { title: "1 server x 8 drives at EC:2", pools: [{ servers: 1, drivesPerServer: 8 }], parity: 2 },
  {
    title: "two pools of 2 servers x 2 drives",
    pools: [
      { servers: 2, drivesPerServer: 2 },
      { servers: 2, drivesPerServer: 2 },
    ],
  },
];

/** What a plan says MinIO must report, in the shape of `mc admin info`'s backend. */
function expectedInfo(layout: Layout): Partial<ErasureInfo> {
  const plan = planErasure(layout.pools, layout.parity);
  return {
    backendType: "Erasure",
    onlineDisks: plan.totalDrives,
    offlineDisks: 0,
    standardSCParity: plan.parity,
    totalSets: plan.setsPerPool,
    totalDrivesPerSet: plan.setsPerPool.map(() => plan.setSize),
  };
}

function parityEnv(layout: Layout): Record<string, string> {
  if (layout.parity === undefined) return {};
  return { MINIO_STORAGE_CLASS_STANDARD: planErasure(layout.pools, layout.parity).storageClass };
}

describe("erasure layouts: planErasure agrees with MinIO", () => {
  let tier: TierHandle;

  beforeAll(async () => {
    // Only for the summary line; the layouts run their own servers.
    tier = await connectTier("erasure-layouts.test.ts");
  });

  afterAll(() => {
    tier?.finish({ requests: 0, compared: 0, agreements: 0, crossTenantAllowed: 0 });
  });

  it.each(ACCEPTED)("$title: MinIO reports the planned sets and parity", async (layout) => {
    const expected = expectedInfo(layout);
    const cluster = await startMinioCluster({ pools: layout.pools, env: parityEnv(layout) });
    try {
      const info = await cluster.erasureInfo();
      expect(info).toMatchObject(expected);
      expect(cluster.pids).toHaveLength(layout.pools.reduce((n, p) => n + p.servers, 0));
    } finally {
      await cluster.stop();
    }
  });

  it("pins the plans the comparisons rely on", () => {
    // The comparisons above are only as good as the plans; these are the values by hand.
    expect(ACCEPTED.map((l) => planErasure(l.pools, l.parity))).toMatchObject([
      { setSize: 4, parity: 2, setsPerPool: [1] },
      { setSize: 8, parity: 4, setsPerPool: [1] },
      { setSize: 6, parity: 3, setsPerPool: [1] },
      { setSize: 6, parity: 3, setsPerPool: [1] },
      { setSize: 4, parity: 2, setsPerPool: [1, 1] },
      { setSize: 8, parity: 2, setsPerPool: [1], storageClass: "EC:2" },
      { setSize: 4, parity: 2, setsPerPool: [1, 1], totalDrives: 8 },
    ]);
  });

  it("1 server x 17 drives: the planner refuses and MinIO exits with an error", async () => {
    const pools = [{ servers: 1, drivesPerServer: 17 }];
    expect(() => planErasure(pools)).toThrow(InvalidArgumentError);
    expect(() => planErasure(pools)).toThrow(/17 drives cannot be split into erasure sets/);

    const refused = await startExpectingRefusal({ pools });
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(/number of drives 17 is not divisible by any supported/);
  });

  it("parity 3 on a set of 4: the planner refuses and MinIO exits with an error", async () => {
    const pools = [{ servers: 4, drivesPerServer: 1 }];
    expect(() => planErasure(pools, 3)).toThrow(InvalidArgumentError);
    expect(() => planErasure(pools, 3)).toThrow(/parity = 3: must be a whole number from 1 to 2/);

    const refused = await startExpectingRefusal({
      pools,
      env: { MINIO_STORAGE_CLASS_STANDARD: "EC:3" },
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(/parity 3 should be less than or equal to 2/);
  });

  it("pools of 4 and 6 drives: MinIO runs them with their own set sizes; the planner is stricter", async () => {
    // Pinned so a change on either side shows: this MinIO release gives each pool its own set
    // size, while planErasure asks for one size in every pool (a deliberate, safer rule).
    const pools = [
      { servers: 1, drivesPerServer: 4 },
      { servers: 1, drivesPerServer: 6 },
    ];
    expect(() => planErasure(pools)).toThrow(/every pool must use the same set size/);

    const cluster = await startMinioCluster({ pools });
    try {
      expect(await cluster.erasureInfo()).toMatchObject({
        onlineDisks: 10,
        standardSCParity: 2,
        totalSets: [1, 1],
        totalDrivesPerSet: [4, 6],
      });
    } finally {
      await cluster.stop();
    }
  });
});
