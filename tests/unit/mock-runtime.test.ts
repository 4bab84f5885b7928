import * as pulumi from "@pulumi/pulumi";
import * as minio from "@pulumi/minio";
import * as random from "@pulumi/random";
import { mockSecret, redactedInputs, runWithMocks } from "../../tools/mock-runtime";

class Pair extends pulumi.ComponentResource {
  constructor(name: string) {
    super("minio-platform:index:Pair", name, {}, {});
    const secret = new random.RandomPassword(`${name}-secret`, { length: 40 }, { parent: this });
    new minio.IamUser(`${name}-user`, { name, secret: secret.result }, { parent: this });
    this.registerOutputs({});
  }
}

describe("runWithMocks", () => {
  it("records types, names, parents and secret inputs", async () => {
    const run = await runWithMocks(() => {
      new Pair("alpha");
      return { plain: "x", hidden: pulumi.secret("y") };
    });
    expect(run.resources.map((r) => `${r.type}::${r.name}`)).toEqual([
      "minio-platform:index:Pair::alpha",
      "random:index/randomPassword:RandomPassword::alpha-secret",
      "minio:index/iamUser:IamUser::alpha-user",
    ]);
    const user = run.resources[2];
    expect(user.parent).toBe(run.resources[0].urn);
    expect(user.secretPaths).toEqual(["secret"]);
    expect(user.inputs.secret).toBe(mockSecret("alpha-secret:{}", 40));
    expect(redactedInputs(user)).toEqual({ name: "alpha", secret: "[secret]" });
    expect(run.outputs).toEqual({ plain: "x", hidden: "y" });
    expect(run.secretOutputs).toEqual(["hidden"]);
  });

  it("keeps runs in one process independent and deterministic", async () => {
    const first = await runWithMocks(() => void new Pair("beta"));
    const second = await runWithMocks(() => void new Pair("beta"));
    expect(second.resources).toEqual(first.resources);
    expect(second.resources).toHaveLength(3);
  });
  it("records what each resource waits for: inputs' resources, dependsOn, the provider", async () => {
    const run = await runWithMocks(() => {
      const provider = new minio.Provider("p", { minioServer: "127.0.0.1:9000" });
      const pair = new Pair("gamma");
      const user = pair.urn.apply(() => "gamma-policy");
      new minio.IamPolicy("gamma-policy", { name: user, policy: "{}" }, { provider });
      new minio.IamGroup("gamma-group", { name: "g" }, { provider, dependsOn: [pair] });
    });
    const urn = (name: string) => run.resources.find((r) => r.name === name)!.urn;
    const byName = new Map(run.resources.map((r) => [r.name, r]));
    // The Pair's own child reads the secret's output, so it waits for it.
    expect(byName.get("gamma-user")!.dependencies).toEqual([urn("gamma-secret")]);
    // An output of a component stands for the component, so for every child of it.
    expect(byName.get("gamma-policy")!.dependencies).toEqual(
      [urn("gamma-secret"), urn("gamma-user")].sort(),
    );
    expect(byName.get("gamma-policy")!.provider).toBe(urn("p"));
    // dependsOn a component waits for every child of it.
    expect(byName.get("gamma-group")!.dependencies).toEqual(
      [urn("gamma-secret"), urn("gamma-user")].sort(),
    );
    expect(byName.get("gamma-secret")!.dependencies).toEqual([]);
    expect(byName.get("gamma-secret")!.provider).toBeUndefined();
  });
});
