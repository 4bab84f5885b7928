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
});
