/**
 * Erasure-set planning: which set size and parity MinIO will use for a list of server pools.
 *
 * MinIO decides this at start-up from the command line (cmd/endpoint-ellipses.go) and refuses
 * to start when no size fits. Planning it here turns a crash-looping StatefulSet into an error
 * at preview time, and tells the caller the usable capacity before any disk is bought.
 */
import { InvalidArgumentError } from "./errors";

/** One server pool: how many MinIO servers it has and how many drives each server mounts. */
export interface PoolLayout {
  /** Servers (pods) in the pool, 1 to {@link MAX_SERVERS}. */
  servers: number;
  /** Drives (volumes) per server, 1 to {@link MAX_DRIVES_PER_SERVER}. */
  drivesPerServer: number;
}

/** What MinIO will do with a layout. */
export interface ErasurePlan {
  /** Drives per erasure set, the same in every pool. */
  setSize: number;
  /** Parity drives per set (the `n` of `EC:n`). */
  parity: number;
  /** Number of sets in each pool, in the order the pools were given. */
  setsPerPool: number[];
  /** Drives across all pools. */
  totalDrives: number;
  /** Share of raw capacity that holds data: `(setSize - parity) / setSize`. */
  usableRatio: number;
  /** `EC:<parity>`, the value for `MINIO_STORAGE_CLASS_STANDARD`. */
  storageClass: string;
  /** True when MinIO runs erasure-coded (more than one drive): versioning and object lock work. */
  erasureCoded: boolean;
}

/** Erasure set sizes MinIO accepts. */
export const MIN_SET_SIZE = 2;
export const MAX_SET_SIZE = 16;

/**
 * Limits of this library, not of MinIO: beyond them a single StatefulSet becomes unwieldy to
 * roll and the server argument list unreadable; add pools instead.
 */
export const MAX_SERVERS = 64;
export const MAX_DRIVES_PER_SERVER = 32;

/**
 * MinIO's default parity for a set of `setSize` drives when `MINIO_STORAGE_CLASS_STANDARD` is
 * not set (`DefaultParityBlocks` in internal/config/storageclass/storage-class.go).
 */
export function defaultParity(setSize: number): number {
  if (setSize <= 1) return 0;
  if (setSize <= 3) return 1;
  if (setSize <= 5) return 2;
  if (setSize <= 7) return 3;
  return 4;
}

/**
 * The set size MinIO picks for one pool, or undefined when none fits. Candidates are the sizes
 * from 2 to 16 that divide the pool's drives; MinIO keeps those symmetric with the server count
 * (one divides the other, so every set spans the servers evenly; on a single server the drive
 * count takes that role) and takes the largest, which gives the fewest sets.
 */
export function poolSetSize(pool: PoolLayout): number | undefined {
  const total = pool.servers * pool.drivesPerServer;
  const spread = pool.servers > 1 ? pool.servers : pool.drivesPerServer;
  let best: number | undefined;
  for (let size = MIN_SET_SIZE; size <= MAX_SET_SIZE; size++) {
    if (total % size !== 0) continue;
    const symmetric = spread > size ? spread % size === 0 : size % spread === 0;
    if (symmetric) best = size;
  }
  return best;
}

/**
 * Plans the erasure sets for `pools`. Throws {@link InvalidArgumentError} naming the argument
 * (`pools[1].drivesPerServer`, `parity`, ...), its value and the rule it breaks.
 *
 * @param pools the server pools, in the order they appear on MinIO's command line
 * @param parity parity drives per set; defaults to MinIO's own default for the set size
 */
export function planErasure(pools: PoolLayout[], parity?: number): ErasurePlan {
  if (!Array.isArray(pools) || pools.length === 0) {
    throw new InvalidArgumentError("pools", pools, "must list at least one server pool");
  }

  const sizes = pools.map((pool, i) => validatePool(pool, i));

  sizes.forEach((size, i) => {
    if (size !== sizes[0]) {
      throw new InvalidArgumentError(
        `pools[${i}]`,
        layoutOf(pools[i]),
        `has erasure set size ${size} but pools[0] has ${sizes[0]}; ` +
          "every pool must use the same set size",
      );
    }
  });
  const setSize = sizes[0];

  const maxParity = Math.floor(setSize / 2);
  const chosen = parity ?? defaultParity(setSize);
  if (!Number.isInteger(chosen) || chosen < 1 || chosen > maxParity) {
    throw new InvalidArgumentError(
      "parity",
      parity,
      `must be a whole number from 1 to ${maxParity} (half the erasure set size ${setSize})`,
    );
  }

  const drives = pools.map((p) => p.servers * p.drivesPerServer);
  const totalDrives = drives.reduce((a, b) => a + b, 0);
  return {
    setSize,
    parity: chosen,
    setsPerPool: drives.map((d) => d / setSize),
    totalDrives,
    usableRatio: (setSize - chosen) / setSize,
    storageClass: `EC:${chosen}`,
    erasureCoded: totalDrives > 1,
  };
}

function validatePool(pool: PoolLayout, i: number): number {
  if (typeof pool !== "object" || pool === null) {
    throw new InvalidArgumentError(
      `pools[${i}]`,
      pool,
      "must be an object with servers and drivesPerServer",
    );
  }
  wholeNumber(`pools[${i}].servers`, pool.servers, MAX_SERVERS);
  wholeNumber(`pools[${i}].drivesPerServer`, pool.drivesPerServer, MAX_DRIVES_PER_SERVER);

  const total = pool.servers * pool.drivesPerServer;
  if (total < MIN_SET_SIZE) {
    throw new InvalidArgumentError(
      `pools[${i}]`,
      layoutOf(pool),
      `must have at least ${MIN_SET_SIZE} drives (servers x drivesPerServer): ` +
        "MinIO runs distributed, erasure-coded, only from 2 drives",
    );
  }
  const size = poolSetSize(pool);
  if (size === undefined) {
    throw new InvalidArgumentError(
      `pools[${i}]`,
      layoutOf(pool),
      `${total} drives cannot be split into erasure sets of ${MIN_SET_SIZE} to ${MAX_SET_SIZE} ` +
        `drives spread evenly over ${pool.servers} server(s)`,
    );
  }
  return size;
}

function wholeNumber(argument: string, value: unknown, max: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(argument, value, `must be a whole number from 1 to ${max}`);
  }
}

/** Only the two fields that matter, so messages stay short when callers pass whole pool args. */
function layoutOf(pool: PoolLayout): PoolLayout {
  return { servers: pool.servers, drivesPerServer: pool.drivesPerServer };
}

/**
 * Drives one erasure set can lose and still accept writes. MinIO's write quorum is the data
 * drive count, plus one when data and parity are equal (cmd/erasure-metadata.go,
 * `objectQuorumFromMeta`) so that two halves of a split set cannot both accept writes.
 */
export function writeTolerance(setSize: number, parity: number): number {
  const data = setSize - parity;
  const writeQuorum = data === parity ? data + 1 : data;
  return setSize - writeQuorum;
}

/**
 * How many servers of `pool` can be down at once while every set keeps write quorum.
 *
 * MinIO lays a pool's drives out with the server varying fastest, so a set of `setSize` drives
 * spans the servers evenly: `setSize / servers` drives on every server when the set is larger
 * than the pool, one drive on each of `setSize` servers otherwise. Losing `n` servers costs a
 * set at most `n` times that many drives, which must stay within {@link writeTolerance}.
 */
export function maxUnavailableServers(pool: PoolLayout, plan: ErasurePlan): number {
  const drivesPerServerInSet = Math.max(1, plan.setSize / pool.servers);
  const tolerated = writeTolerance(plan.setSize, plan.parity);
  return Math.min(pool.servers, Math.floor(tolerated / drivesPerServerInSet));
}
