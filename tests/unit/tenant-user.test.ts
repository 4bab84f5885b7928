import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError } from "../../components/errors";
import { readOnlyPolicy, readWritePolicy } from "../../components/iam";
import { TenantUser, type TenantUserArgs } from "../../components/tenant-user";
import { mockSecret, runWithMocks, type RecordedResource } from "../../tools/mock-runtime";

const ENDPOINT = "http://127.0.0.1:9000";
const ROTATION_RULE =
  'must be 1 to 32 lowercase letters, digits, "." and "-", starting and ending with a letter ' +
  "or digit (it becomes part of the service accounts' resource names)";

/** Records the resource options of every resource the program registers, by name. */
function recordOptions(into: Map<string, pulumi.ResourceOptions>): void {
  pulumi.runtime.registerStackTransformation((args) => {
    into.set(args.name, args.opts);
    return undefined;
  });
}

async function build(args: TenantUserArgs, name = "acme") {
  const options = new Map<string, pulumi.ResourceOptions>();
  const run = await runWithMocks(() => {
    recordOptions(options);
    const user = new TenantUser(name, args);
    return {
      userName: user.userName,
      tenantId: user.tenantId,
      accessKey: user.accessKey,
      secretKey: user.secretKey,
      serviceAccounts: user.serviceAccounts,
      policyNames: user.policyNames,
    };
  });
  const byName = (n: string): RecordedResource => {
    const found = run.resources.find((r) => r.name === n);
    if (!found) throw new Error(`no resource named ${n}`);
    return found;
  };
  return { ...run, options, byName };
}

async function refused(make: () => void): Promise<{ error: unknown; count: number }> {
  let error: unknown;
  const run = await runWithMocks(() => {
    try {
      make();
    } catch (err) {
      error = err;
    }
  });
  return { error, count: run.resources.length };
}

const names = (resources: RecordedResource[]) =>
  resources.map((r) => `${r.type}::${r.name}`).sort();

describe("TenantUser", () => {
  it("creates the user, its secret, policies, attachments and service accounts", async () => {
    const run = await build({
      tenantId: "acme",
      policies: [
        readWritePolicy("user-acme-data"),
        {
          name: "acme-logs-read",
          document: {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::logs/acme/*"] },
            ],
          },
        },
      ],
      existingPolicyNames: ["acme-extra"],
      serviceAccounts: [{ name: "app" }],
    });

    expect(names(run.resources)).toEqual([
      "minio-platform:index:TenantUser::acme",
      "minio:index/iamPolicy:IamPolicy::acme-policy-acme-logs-read",
      "minio:index/iamPolicy:IamPolicy::acme-policy-user-acme-c932c2e7",
      "minio:index/iamServiceAccount:IamServiceAccount::acme-sa-app",
      "minio:index/iamUser:IamUser::acme-user",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::acme-attach-acme-extra",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::acme-attach-acme-logs-read",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::acme-attach-user-acme-c932c2e7",
      "random:index/randomPassword:RandomPassword::acme-secret",
    ]);
    const component = run.byName("acme");
    for (const r of run.resources.filter((r) => r.custom)) expect(r.parent).toBe(component.urn);

    const password = run.byName("acme-secret");
    expect(password.inputs).toEqual({ length: 40, special: false });
    const user = run.byName("acme-user");
    expect(user.inputs).toEqual({
      name: "user-acme",
      secret: mockSecret("acme-secret:{}", 40),
      disableUser: false,
      updateSecret: false,
      forceDestroy: false,
    });
    expect(user.secretPaths).toEqual(["secret"]);

    expect(run.byName("acme-policy-acme-logs-read").inputs).toEqual({
      name: "acme-logs-read",
      policy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],' +
        '"Resource":["arn:aws:s3:::logs/acme/*"]}]}',
    });
    expect(run.byName("acme-attach-acme-extra").inputs).toEqual({
      userName: "user-acme",
      policyName: "acme-extra",
    });
    expect(run.byName("acme-sa-app").inputs).toEqual({
      targetUser: "user-acme",
      disableUser: false,
      updateSecret: false,
    });

    expect(run.outputs.userName).toBe("user-acme");
    expect(run.outputs.tenantId).toBe("acme");
    expect(run.outputs.accessKey).toBe("user-acme");
    expect(run.outputs.secretKey).toBe(mockSecret("acme-secret:{}", 40));
    expect(run.outputs.policyNames).toEqual(["user-acme-c932c2e7", "acme-logs-read", "acme-extra"]);
    expect(run.outputs.serviceAccounts).toEqual({
      app: {
        accessKey: run.byName("acme-sa-app").state.accessKey,
        secretKey: run.byName("acme-sa-app").state.secretKey,
      },
    });
    expect(run.secretOutputs).toEqual([
      "secretKey",
      "serviceAccounts.app.accessKey",
      "serviceAccounts.app.secretKey",
    ]);
  });

  it("gives a service account only the narrower policy it is given", async () => {
    const run = await build({
      tenantId: "acme",
      serviceAccounts: [
        {
          name: "reader",
          policy: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["s3:GetObject"],
                Resource: ["arn:aws:s3:::user-acme-data/*"],
              },
            ],
          },
        },
      ],
    });
    expect(run.byName("acme-sa-reader").inputs.policy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],' +
        '"Resource":["arn:aws:s3:::user-acme-data/*"]}]}',
    );
  });

  it("rotates: a new rotation value gives a new secret for the same, enabled user", async () => {
    const first = await build({
      tenantId: "acme",
      rotation: "2024-01",
      serviceAccounts: [{ name: "app" }],
    });
    const second = await build({
      tenantId: "acme",
      rotation: "2024-02",
      serviceAccounts: [{ name: "app" }],
    });

    expect(first.byName("acme-secret").inputs.keepers).toEqual({ rotation: "2024-01" });
    expect(second.byName("acme-secret").inputs.keepers).toEqual({ rotation: "2024-02" });
    const oldSecret = first.byName("acme-user").inputs.secret;
    const newSecret = second.byName("acme-user").inputs.secret;
    expect(newSecret).toBe(mockSecret('acme-secret:{"rotation":"2024-02"}', 40));
    expect(newSecret).not.toBe(oldSecret);
    expect(second.byName("acme-user").inputs.name).toBe("user-acme");
    expect(second.byName("acme-user").inputs.disableUser).toBe(false);
    // updateSecret would make MinIO pick its own secret on every update.
    expect(second.byName("acme-user").inputs.updateSecret).toBe(false);
    expect(second.byName("acme-user").secretPaths).toEqual(["secret"]);
    expect(second.secretOutputs).toContain("secretKey");

    // The user itself is updated in place: same logical name, same MinIO name, in both runs.
    const users = (run: typeof first) =>
      run.resources
        .filter((r) => r.type === "minio:index/iamUser:IamUser")
        .map((r) => [r.name, r.inputs.name]);
    expect(users(first)).toEqual([["acme-user", "user-acme"]]);
    expect(users(second)).toEqual([["acme-user", "user-acme"]]);

    // The rotation is part of each service account's logical name, so any Pulumi CLI creates a
    // new access key and deletes the old one (no reliance on the replacementTrigger option).
    const accounts = (run: typeof first) =>
      run.resources
        .filter((r) => r.type === "minio:index/iamServiceAccount:IamServiceAccount")
        .map((r) => ({ name: r.name, accessKey: r.state.accessKey, secretKey: r.state.secretKey }));
    const [before] = accounts(first);
    const [after] = accounts(second);
    expect(accounts(first).map((a) => a.name)).toEqual(["acme-sa-app-2024-01"]);
    expect(accounts(second).map((a) => a.name)).toEqual(["acme-sa-app-2024-02"]);
    expect(after.accessKey).toMatch(/^[A-Z0-9]{20}$/);
    expect(after.accessKey).not.toBe(before.accessKey);
    expect(after.secretKey).not.toBe(before.secretKey);
    expect(second.outputs.serviceAccounts).toEqual({
      app: { accessKey: after.accessKey, secretKey: after.secretKey },
    });
  });

  it("refuses a rotation value that cannot be part of a resource name", async () => {
    for (const rotation of ["2024 Q1", "2024/01", "-1", "x".repeat(33)]) {
      const { error, count } = await refused(
        () => new TenantUser("t", { tenantId: "acme", rotation }),
      );
      expect((error as Error).message).toBe(
        `TenantUser "t": rotation = ${JSON.stringify(rotation)}: ${ROTATION_RULE}`,
      );
      expect(count).toBe(0);
    }
    const run = await build({
      tenantId: "acme",
      rotation: "v2.1",
      serviceAccounts: [{ name: "app" }],
    });
    expect(run.byName("acme-sa-app-v2.1").inputs.targetUser).toBe("user-acme");
  });

  it("names a bare policy by its content, so removing another one leaves it alone", async () => {
    const readOnlyJson =
      '{"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":"Allow","Action":' +
      '["s3:GetBucketLocation","s3:ListBucket","s3:ListBucketVersions"],' +
      '"Resource":["arn:aws:s3:::user-acme-data"]},{"Sid":"ObjectAccess","Effect":"Allow",' +
      '"Action":["s3:GetObject","s3:GetObjectTagging","s3:GetObjectVersion"],' +
      '"Resource":["arn:aws:s3:::user-acme-data/*"]}]}';
    const both = await build({
      tenantId: "acme",
      policies: [readWritePolicy("user-acme-data"), readOnlyPolicy("user-acme-data")],
    });
    const second = await build({ tenantId: "acme", policies: [readOnlyPolicy("user-acme-data")] });

    const policies = (run: typeof both) =>
      run.resources
        .filter((r) => r.type === "minio:index/iamPolicy:IamPolicy")
        .map((r) => [r.name, r.inputs.name, r.inputs.policy]);
    expect(policies(both)).toEqual([
      ["acme-policy-user-acme-c932c2e7", "user-acme-c932c2e7", expect.any(String)],
      ["acme-policy-user-acme-4262af8b", "user-acme-4262af8b", readOnlyJson],
    ]);
    expect(policies(second)).toEqual([
      ["acme-policy-user-acme-4262af8b", "user-acme-4262af8b", readOnlyJson],
    ]);
    expect(second.outputs.policyNames).toEqual(["user-acme-4262af8b"]);
  });

  it("disables the user and its service accounts", async () => {
    const run = await build({
      tenantId: "acme",
      disabled: true,
      serviceAccounts: [{ name: "app" }],
    });
    expect(run.byName("acme-user").inputs.disableUser).toBe(true);
    expect(run.byName("acme-sa-app").inputs.disableUser).toBe(true);
  });

  it("writes the credentials to a Kubernetes Secret as a secret", async () => {
    const run = await build({
      tenantId: "acme",
      kubernetesSecret: { namespace: "team-acme", endpoint: ENDPOINT, bucket: "user-acme-data" },
    });
    const secret = run.byName("acme-credentials");
    expect(secret.type).toBe("kubernetes:core/v1:Secret");
    expect(secret.inputs.metadata).toEqual({
      name: "user-acme-s3",
      namespace: "team-acme",
      labels: {
        "app.kubernetes.io/component": "tenant-credentials",
        "app.kubernetes.io/instance": "acme",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": "minio",
        "app.kubernetes.io/part-of": "minio-platform",
      },
    });
    expect(secret.inputs.type).toBe("Opaque");
    expect(secret.inputs.stringData).toEqual({
      AWS_ACCESS_KEY_ID: "user-acme",
      AWS_SECRET_ACCESS_KEY: mockSecret("acme-secret:{}", 40),
      S3_BUCKET: "user-acme-data",
      S3_ENDPOINT: ENDPOINT,
    });
    expect(secret.secretPaths).toEqual(["stringData"]);
  });

  it("accepts the tenant's own default name given explicitly", async () => {
    const run = await build({ tenantId: "acme", userName: "user-acme" });
    expect(run.byName("acme-user").inputs.name).toBe("user-acme");
  });

  it("leaves S3_BUCKET out when no bucket is given and honours a custom name", async () => {
    const run = await build({
      tenantId: "acme",
      userName: "acme-ci",
      kubernetesSecret: { namespace: "team-acme", name: "s3-creds", endpoint: ENDPOINT },
    });
    const secret = run.byName("acme-credentials");
    expect((secret.inputs.metadata as Record<string, unknown>).name).toBe("s3-creds");
    expect(Object.keys(secret.inputs.stringData as object)).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "S3_ENDPOINT",
    ]);
    expect(run.byName("acme-user").inputs.name).toBe("acme-ci");
  });

  it("passes the MinIO provider from args to every MinIO child", async () => {
    const options = new Map<string, pulumi.ResourceOptions>();
    await runWithMocks(() => {
      recordOptions(options);
      const provider = new minio.Provider("store", {});
      new TenantUser("acme", {
        tenantId: "acme",
        policies: [readWritePolicy("user-acme-data")],
        serviceAccounts: [{ name: "app" }],
        provider,
      });
      for (const child of [
        "acme-user",
        "acme-policy-user-acme-c932c2e7",
        "acme-attach-user-acme-c932c2e7",
        "acme-sa-app",
      ]) {
        expect(options.get(child)?.provider).toBe(provider);
      }
    });
  });

  describe("refuses bad arguments before registering anything", () => {
    const cases: [string, TenantUserArgs, string][] = [
      [
        "a tenant id with uppercase and underscore",
        { tenantId: "Acme_1" },
        'TenantUser "t": tenantId = "Acme_1": may contain only lowercase letters, digits and hyphens ("A" is not allowed)',
      ],
      [
        "a user name that is not a DNS label",
        { tenantId: "acme", userName: "acme*" },
        'TenantUser "t": userName = "acme*": must be a DNS-1123 label: lowercase letters, digits and hyphens ("*" is not allowed)',
      ],
      [
        "a user name shorter than a MinIO access key",
        { tenantId: "acme", userName: "ab" },
        'TenantUser "t": userName = "ab": must be at least 3 characters long (MinIO access keys are 3 or more)',
      ],
      [
        "a user name in another tenant's namespace",
        { tenantId: "acme", userName: "user-globex" },
        'TenantUser "t": userName = "user-globex": must not start with "user-" unless it is "user-acme", this tenant\'s default: the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "two policies with one name",
        {
          tenantId: "acme",
          policies: [{ name: "acme-extra", document: readWritePolicy("user-acme-data") }],
          existingPolicyNames: ["acme-extra"],
        },
        'TenantUser "t": existingPolicyNames[0] = "acme-extra": must be unique among the policies',
      ],
      [
        "the same bare policy twice",
        {
          tenantId: "acme",
          policies: [readWritePolicy("user-acme-data"), readWritePolicy("user-acme-data")],
        },
        'TenantUser "t": policies[1] = "user-acme-c932c2e7": must be unique among the policies',
      ],
      [
        "a policy name with a comma",
        { tenantId: "acme", existingPolicyNames: ["a,b"] },
        'TenantUser "t": existingPolicyNames[0] = "a,b": may contain only lowercase letters, digits, ".", "_" and "-", starting with a letter or digit',
      ],
      [
        "a duplicate service account",
        { tenantId: "acme", serviceAccounts: [{ name: "app" }, { name: "app" }] },
        'TenantUser "t": serviceAccounts[1].name = "app": must be unique among the service accounts',
      ],
      [
        "an empty rotation",
        { tenantId: "acme", rotation: "" },
        `TenantUser "t": rotation = "": ${ROTATION_RULE}`,
      ],
      [
        "an endpoint without a scheme",
        { tenantId: "acme", kubernetesSecret: { namespace: "acme", endpoint: "127.0.0.1:9000" } },
        'TenantUser "t": kubernetesSecret.endpoint = "127.0.0.1:9000": must start with "http://" or "https://"',
      ],
      [
        "an endpoint with a user name and password, which the message never shows",
        {
          tenantId: "acme",
          kubernetesSecret: { namespace: "acme", endpoint: "http://admin:hunter22@127.0.0.1:9000" },
        },
        'TenantUser "t": kubernetesSecret.endpoint = "http://[secret]@127.0.0.1:9000": must not contain a user name or password (it would be copied into Secrets, environments and logs)',
      ],
      [
        "an endpoint with a password and a space, refused for the password first",
        {
          tenantId: "acme",
          kubernetesSecret: {
            namespace: "acme",
            endpoint: "http://admin:hun ter@127.0.0.1:9000/x",
          },
        },
        'TenantUser "t": kubernetesSecret.endpoint = "http://[secret]@127.0.0.1:9000/x": must not contain a user name or password (it would be copied into Secrets, environments and logs)',
      ],
      [
        "a scheme-less endpoint with a user name",
        {
          tenantId: "acme",
          kubernetesSecret: { namespace: "acme", endpoint: "admin@127.0.0.1:9000" },
        },
        'TenantUser "t": kubernetesSecret.endpoint = "[secret]@127.0.0.1:9000": must not contain a user name or password (it would be copied into Secrets, environments and logs)',
      ],
      [
        "a namespace that is not a DNS label",
        { tenantId: "acme", kubernetesSecret: { namespace: "Team", endpoint: ENDPOINT } },
        'TenantUser "t": kubernetesSecret.namespace = "Team": must be a DNS-1123 label: lowercase letters, digits and hyphens ("T" is not allowed)',
      ],
    ];
    it.each(cases)("%s", async (_label, args, message) => {
      const { error, count } = await refused(() => new TenantUser("t", args));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toBe(message);
      expect((error as Error).message).not.toMatch(/hunter|hun ter|admin/);
      expect(JSON.stringify((error as InvalidArgumentError).value)).not.toMatch(/hunter|admin/);
      expect(count).toBe(0);
    });

    it.each(["readwrite", "readonly", "writeonly", "diagnostics", "consoleAdmin"])(
      "MinIO's built-in policy %s",
      async (builtin) => {
        const { error, count } = await refused(
          () =>
            new TenantUser("t", { tenantId: "acme", existingPolicyNames: ["acme-extra", builtin] }),
        );
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message).toBe(
          `TenantUser "t": existingPolicyNames[1] = "${builtin}": must not be one of MinIO's ` +
            "built-in policies (readwrite, readonly, writeonly, diagnostics, consoleAdmin), " +
            "which reach every bucket or administer the server",
        );
        expect(count).toBe(0);
      },
    );

    it("a component name that cannot be a label value, when a Secret is labelled with it", async () => {
      const args = {
        tenantId: "acme",
        kubernetesSecret: { namespace: "acme", endpoint: ENDPOINT },
      };
      const { error, count } = await refused(() => new TenantUser("Acme Corp!", args));
      expect((error as Error).message).toBe(
        `TenantUser "Acme Corp!": name = "Acme Corp!": must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (it becomes the app.kubernetes.io/instance label)`,
      );
      expect(count).toBe(0);
      const long = await refused(() => new TenantUser("a".repeat(64), args));
      expect((long.error as InvalidArgumentError).argument).toBe("name");
      expect(long.count).toBe(0);
      // Without a Secret the name labels nothing, so Pulumi's own rules are enough.
      const plain = await build({ tenantId: "acme" }, "Acme Corp!");
      expect(plain.byName("Acme Corp!-user").inputs.name).toBe("user-acme");
    });

    it("a component name that is a label value with dots and underscores", async () => {
      const run = await build(
        { tenantId: "acme", kubernetesSecret: { namespace: "acme", endpoint: ENDPOINT } },
        "Acme_Corp.eu",
      );
      const metadata = run.byName("Acme_Corp.eu-credentials").inputs.metadata as {
        labels: Record<string, string>;
      };
      expect(metadata.labels["app.kubernetes.io/instance"]).toBe("Acme_Corp.eu");
    });

    it("a policy MinIO refuses, naming the policy's position", async () => {
      const { error, count } = await refused(
        () =>
          new TenantUser("t", {
            tenantId: "acme",
            policies: [
              {
                Version: "2012-10-17",
                Statement: [
                  { Effect: "Allow", Action: ["s3:GetBucketAcl"], Resource: ["arn:aws:s3:::x"] },
                ],
              },
            ],
          }),
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toBe(
        'TenantUser "t": policies[0].Statement[0].Action = "s3:GetBucketAcl": is not a MinIO ' +
          "action (MinIO has no ACLs; access is granted by policies only)",
      );
      expect(count).toBe(0);
    });
  });
});
