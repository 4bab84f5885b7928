import { defaultParity, planErasure, poolSetSize } from "../../components/erasure";
import { InvalidArgumentError } from "../../components/errors";

const pool = (servers: number, drivesPerServer: number) => ({ servers, drivesPerServer });

describe("poolSetSize (MinIO's choice for one pool)", () => {
  it.each([
    [4, 1, 4],
    [3, 16, 12],
    [16, 1, 16],
    [8, 2, 16],
    [1, 4, 4],
    [5, 4, 10],
    [4, 4, 16],
    [2, 1, 2],
    [3, 1, 3],
    [6, 1, 6],
    [12, 1, 12],
    [32, 1, 16],
    [24, 1, 12],
    [1, 32, 16],
    [1, 6, 6],
    [6, 3, 6],
    [9, 2, 9],
    [7, 2, 14],
  ])("%i servers x %i drives -> sets of %i", (servers, drives, size) => {
    expect(poolSetSize(pool(servers, drives))).toBe(size);
  });

  it.each([
    [17, 1],
    [1, 17],
    [19, 2],
    [1, 1],
  ])("%i servers x %i drives has no valid set size", (servers, drives) => {
    expect(poolSetSize(pool(servers, drives))).toBeUndefined();
  });
});

describe("defaultParity (MinIO's DefaultParityBlocks)", () => {
  it.each([
    [2, 1],
    [3, 1],
    [4, 2],
    [5, 2],
    [6, 3],
    [7, 3],
    [8, 4],
    [12, 4],
    [16, 4],
  ])("a set of %i drives gets EC:%i", (size, parity) => {
    expect(defaultParity(size)).toBe(parity);
  });
});

describe("planErasure", () => {
  it("gives 4 servers x 1 drive one set of 4 at EC:2", () => {
    expect(planErasure([pool(4, 1)])).toEqual({
      setSize: 4,
      parity: 2,
      setsPerPool: [1],
      totalDrives: 4,
      usableRatio: 0.5,
      storageClass: "EC:2",
      erasureCoded: true,
    });
  });

  it("gives 3 servers x 16 drives four sets of 12, EC:6 at most", () => {
    const plan = planErasure([pool(3, 16)], 6);
    expect(plan.setSize).toBe(12);
    expect(plan.setsPerPool).toEqual([4]);
    expect(plan.totalDrives).toBe(48);
    expect(plan.usableRatio).toBe(0.5);
    expect(plan.storageClass).toBe("EC:6");
    expect(planErasure([pool(3, 16)]).parity).toBe(4);
    expect(planErasure([pool(3, 16)]).usableRatio).toBe(8 / 12);
  });

  it("refuses EC:8 on sets of 12", () => {
    expect(() => planErasure([pool(3, 16)], 8)).toThrow(
      "parity = 8: must be a whole number from 1 to 6 (half the erasure set size 12)",
    );
  });

  it("plans two pools of 4x4 as sets of 16 in each", () => {
    const plan = planErasure([pool(4, 4), pool(4, 4)]);
    expect(plan).toMatchObject({ setSize: 16, parity: 4, setsPerPool: [1, 1], totalDrives: 32 });
    expect(plan.usableRatio).toBe(0.75);
  });

  it("accepts pools of different shapes that land on the same set size", () => {
    const plan = planErasure([pool(4, 4), pool(8, 2), pool(16, 2)], 5);
    expect(plan).toMatchObject({ setSize: 16, parity: 5, setsPerPool: [1, 1, 2] });
    expect(plan.totalDrives).toBe(64);
    expect(plan.usableRatio).toBe(11 / 16);
    expect(plan.storageClass).toBe("EC:5");
  });

  it("plans 5 servers x 4 drives as two sets of 10", () => {
    expect(planErasure([pool(5, 4)])).toMatchObject({ setSize: 10, setsPerPool: [2], parity: 4 });
  });

  it("plans a single server with 4 drives as one set of 4", () => {
    expect(planErasure([pool(1, 4)])).toMatchObject({ setSize: 4, setsPerPool: [1], parity: 2 });
  });

  it("plans 2 servers x 1 drive as a mirror (EC:1 on a set of 2)", () => {
    expect(planErasure([pool(2, 1)])).toMatchObject({ setSize: 2, parity: 1, usableRatio: 0.5 });
  });

  it("refuses pools of 4 and 6 drives, naming both set sizes", () => {
    expect(() => planErasure([pool(4, 1), pool(6, 1)])).toThrow(
      'pools[1] = {"servers":6,"drivesPerServer":1}: has erasure set size 6 but pools[0] has 4; ' +
        "every pool must use the same set size",
    );
  });

  it("refuses 1 server x 1 drive", () => {
    expect(() => planErasure([pool(1, 1)])).toThrow(
      'pools[0] = {"servers":1,"drivesPerServer":1}: must have at least 2 drives ' +
        "(servers x drivesPerServer): MinIO runs distributed, erasure-coded, only from 2 drives",
    );
  });

  it("refuses a pool whose drives fit no set of 2 to 16", () => {
    expect(() => planErasure([pool(17, 1)])).toThrow(
      'pools[0] = {"servers":17,"drivesPerServer":1}: 17 drives cannot be split into erasure ' +
        "sets of 2 to 16 drives spread evenly over 17 server(s)",
    );
  });

  it.each([
    [[pool(0, 1)], "pools[0].servers = 0: must be a whole number from 1 to 64"],
    [[pool(65, 1)], "pools[0].servers = 65: must be a whole number from 1 to 64"],
    [[pool(2.5, 1)], "pools[0].servers = 2.5: must be a whole number from 1 to 64"],
    [[pool(4, 1), pool(4, 0)], "pools[1].drivesPerServer = 0: must be a whole number from 1 to 32"],
    [[pool(4, 33)], "pools[0].drivesPerServer = 33: must be a whole number from 1 to 32"],
    [[], "pools = []: must list at least one server pool"],
  ])("refuses %j", (pools, message) => {
    expect(() => planErasure(pools)).toThrow(message);
  });

  it("refuses a drive count given as a string", () => {
    const bad = [{ servers: 4, drivesPerServer: "1" as unknown as number }];
    expect(() => planErasure(bad)).toThrow(
      'pools[0].drivesPerServer = "1": must be a whole number from 1 to 32',
    );
  });

  it.each([0, -1, 1.5, 3])("refuses parity %p on a set of 4", (parity) => {
    expect(() => planErasure([pool(4, 1)], parity)).toThrow(
      `parity = ${parity}: must be a whole number from 1 to 2 (half the erasure set size 4)`,
    );
  });

  it("throws InvalidArgumentError carrying the argument and the value", () => {
    let caught: unknown;
    try {
      planErasure([pool(4, 1)], 3);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).argument).toBe("parity");
    expect((caught as InvalidArgumentError).value).toBe(3);
  });
});
