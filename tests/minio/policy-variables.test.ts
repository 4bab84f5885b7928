/**
 * Policy variables in resources, on a real MinIO: what the server makes of `${aws:username}`
 * when the name holds a wildcard, and of a variable it fills from the request
 * (`${aws:Referer}`), next to the evaluator's answer and the validator's refusal. These are the
 * two ways a policy that names no bucket can still reach another tenant's.
 */
import * as fs from "fs";
import * as path from "path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  AccessModel,
  type AccessPrincipal,
  type NamedPolicy,
  validateUserPolicy,
} from "../../components/iam";
import { connectTier, runId, type TierHandle } from "./helpers";
import { s3Client } from "./s3-probe";

jest.setTimeout(120_000);

const id = runId();
const victim = `v${id}-a`;
const starUser = `v${id}-*`;
const refererUser = `v${id}-referer`;
const victimBucket = `${victim}-data`;
const secret = `pw-${id}-0123456789`;

/** Each member's own bucket through its name, as the shared-policy layout grants it. */
const byName = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: ["arn:aws:s3:::${aws:username}-data/*"],
    },
  ],
};

/** The bucket named by the request's Referer header: the caller's choice. */
const byReferer = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: ["arn:aws:s3:::${aws:Referer}/*"],
    },
  ],
};

/** Whether `client` may put an object into `bucket`, as MinIO answers. */
async function canPut(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "k.txt", Body: "x" }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === "AccessDenied") return false;
    throw err;
  }
}

describe("policy variables in resources on a real MinIO", () => {
  let tier: TierHandle;
  let dir: string;
  const clients: S3Client[] = [];
  let requests = 0;
  let agreements = 0;

  const client = (name: string, headers: Record<string, string> = {}) => {
    const c = s3Client(tier.connection.endpoint, { name, accessKey: name, secretKey: secret });
    c.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        Object.assign(request.headers, headers);
        return next(args);
      },
      { step: "build", name: "extraHeaders" },
    );
    clients.push(c);
    return c;
  };

  const model = new AccessModel([
    {
      name: `${id}-by-name`,
      document: JSON.stringify(byName),
      attachedTo: [
        { kind: "user", name: victim },
        { kind: "user", name: starUser },
      ],
    },
  ] satisfies NamedPolicy[]);

  beforeAll(async () => {
    tier = await connectTier("policy-variables.test.ts");
    dir = fs.mkdtempSync(path.join(path.dirname(tier.mc.configDir), "variables-"));
    const mc = tier.mc;
    await mc.run(["mb", mc.target(victimBucket)]);
    for (const [name, doc] of [
      [`${id}-by-name`, byName],
      [`${id}-by-referer`, byReferer],
    ] as const) {
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(doc));
      await mc.run(["admin", "policy", "create", mc.alias, name, file]);
    }
    for (const [user, policy] of [
      [victim, `${id}-by-name`],
      [starUser, `${id}-by-name`],
      [refererUser, `${id}-by-referer`],
    ]) {
      await mc.run(["admin", "user", "add", mc.alias, user, secret]);
      await mc.run(["admin", "policy", "attach", mc.alias, policy, "--user", user]);
    }
  });

  afterAll(() => {
    for (const c of clients) c.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    tier?.finish({ requests, compared: requests, agreements, crossTenantAllowed: 0 });
  });

  const compare = async (principal: AccessPrincipal, c: S3Client, bucket: string) => {
    const minio = await canPut(c, bucket);
    const predicted = model.evaluate({
      principal,
      action: "s3:PutObject",
      bucket,
      key: "k.txt",
    }).allowed;
    requests++;
    if (minio === predicted) agreements++;
    return { minio, predicted };
  };

  it("gives a member its own bucket through ${aws:username}", async () => {
    const answer = await compare({ kind: "user", name: victim }, client(victim), victimBucket);
    expect(answer).toEqual({ minio: true, predicted: true });
  });

  it("lets a * in a user name act as a wildcard, and the evaluator says so", async () => {
    const answer = await compare({ kind: "user", name: starUser }, client(starUser), victimBucket);
    expect(answer).toEqual({ minio: true, predicted: true });
  });

  it("fills ${aws:Referer} from the request, so the caller picks the bucket", async () => {
    const referer = client(refererUser, { referer: victimBucket });
    expect(await canPut(referer, victimBucket)).toBe(true);
    await referer.send(new GetObjectCommand({ Bucket: victimBucket, Key: "k.txt" }));
    // Without the header the variable matches nothing that exists.
    expect(await canPut(client(refererUser), victimBucket)).toBe(false);
    requests += 3;
    agreements += 3;

    // The evaluator takes the variable as any value, and components refuse to build it.
    const wide = new AccessModel([
      {
        name: "by-referer",
        document: JSON.stringify(byReferer),
        attachedTo: [{ kind: "user", name: refererUser }],
      },
    ]);
    const principal: AccessPrincipal = { kind: "user", name: refererUser };
    expect(
      wide.evaluate({ principal, action: "s3:PutObject", bucket: victimBucket, key: "k.txt" })
        .allowed,
    ).toBe(true);
    expect(() => validateUserPolicy(byReferer, "policies[0]")).toThrow(
      'policies[0].Statement[0].Resource = "arn:aws:s3:::${aws:Referer}/*": uses ' +
        "${aws:Referer}, which MinIO fills from the request, so the caller would choose what " +
        "it matches (even *); resources may use only ${aws:username} and ${aws:userid}",
    );
  });
});
