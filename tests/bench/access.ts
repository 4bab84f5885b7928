/**
 * The access analysis the benchmark times: every principal a run creates (users, access keys,
 * the anonymous caller) against every bucket, through the MinIO evaluator's AccessModel. It
 * reads policies, attachments and group memberships off the recorded resources the way the
 * policy pack reads them off a stack.
 */
import {
  AccessModel,
  type AccessPrincipal,
  type ActionGrant,
  type NamedPolicy,
  type PolicyAttachment,
} from "../../components/iam";
import type { RecordedResource } from "../../tools/mock-runtime";

const T = {
  bucket: "minio:index/s3Bucket:S3Bucket",
  bucketPolicy: "minio:index/s3BucketPolicy:S3BucketPolicy",
  user: "minio:index/iamUser:IamUser",
  policy: "minio:index/iamPolicy:IamPolicy",
  userAttachment: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
  groupAttachment: "minio:index/iamGroupPolicyAttachment:IamGroupPolicyAttachment",
  groupUser: "minio:index/iamGroupUserAttachment:IamGroupUserAttachment",
  groupMembership: "minio:index/iamGroupMembership:IamGroupMembership",
  serviceAccount: "minio:index/iamServiceAccount:IamServiceAccount",
} as const;

/** A principal, the resource that made it, and the buckets its tenant owns. */
export interface Subject {
  principal: AccessPrincipal;
  label: string;
  /** Name of the outermost component it was created in (the tenant, store or target). */
  owner: string;
}

/** Everything the evaluator needs about a run. */
export interface AccessInputs {
  policies: NamedPolicy[];
  subjects: Subject[];
  buckets: string[];
  /** Outermost component name per bucket. */
  bucketOwner: Map<string, string>;
}

/** Reads policies, principals and buckets off a run's resources. */
export function accessInputs(resources: readonly RecordedResource[]): AccessInputs {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const rootOf = (r: RecordedResource): string => {
    let node = r;
    while (node.parent && byUrn.has(node.parent)) node = byUrn.get(node.parent)!;
    return node.name;
  };
  const str = (value: unknown) => String(value);

  const attachments = new Map<string, PolicyAttachment[]>();
  const attach = (policy: string, to: PolicyAttachment) => {
    const list = attachments.get(policy) ?? [];
    list.push(to);
    attachments.set(policy, list);
  };
  const groupsOf = new Map<string, string[]>();
  const join = (user: string, group: string) => {
    groupsOf.set(user, [...(groupsOf.get(user) ?? []), group]);
  };

  const policies: NamedPolicy[] = [];
  const documents = new Map<string, string>();
  const buckets: string[] = [];
  const bucketOwner = new Map<string, string>();
  for (const r of resources) {
    const i = r.inputs;
    switch (r.type) {
      case T.bucket:
        buckets.push(str(i.bucket));
        bucketOwner.set(str(i.bucket), rootOf(r));
        break;
      case T.policy:
        documents.set(str(i.name), str(i.policy));
        break;
      case T.userAttachment:
        attach(str(i.policyName), { kind: "user", name: str(i.userName) });
        break;
      case T.groupAttachment:
        attach(str(i.policyName), { kind: "group", name: str(i.groupName) });
        break;
      case T.groupUser:
        join(str(i.userName), str(i.groupName));
        break;
      case T.groupMembership:
        for (const user of i.users as string[]) join(user, str(i.group));
        break;
      case T.bucketPolicy:
        policies.push({
          name: `bucket-policy:${str(i.bucket)}`,
          document: str(i.policy),
          attachedTo: { kind: "bucket", bucket: str(i.bucket) },
        });
        break;
      case T.serviceAccount:
        if (typeof i.policy === "string" && i.policy !== "") {
          policies.push({
            name: `service-account:${r.name}`,
            document: i.policy,
            attachedTo: { kind: "serviceAccount", accessKey: str(r.state.accessKey) },
          });
        }
        break;
    }
  }
  for (const [name, document] of documents) {
    policies.push({ name, document, attachedTo: attachments.get(name) ?? [] });
  }

  const subjects: Subject[] = [{ principal: { kind: "anonymous" }, label: "anonymous", owner: "" }];
  for (const r of resources) {
    if (r.type === T.user) {
      const name = str(r.inputs.name);
      subjects.push({
        principal: {
          kind: "user",
          name,
          groups: groupsOf.get(name) ?? [],
          disabled: r.inputs.disableUser === true,
        },
        label: `user ${name}`,
        owner: rootOf(r),
      });
    } else if (r.type === T.serviceAccount) {
      const parent = str(r.inputs.targetUser);
      subjects.push({
        principal: {
          kind: "serviceAccount",
          accessKey: str(r.state.accessKey),
          parent,
          parentGroups: groupsOf.get(parent) ?? [],
          disabled: r.inputs.disableUser === true,
        },
        label: `access key ${r.name}`,
        owner: rootOf(r),
      });
    }
  }
  return { policies, subjects, buckets: buckets.sort(), bucketOwner };
}

/** A principal reaching a bucket it does not own. */
export interface Breach {
  subject: string;
  bucket: string;
  actions: string[];
}

/**
 * The isolation proof: no principal can do anything in a bucket outside its own tenant, and
 * the anonymous caller nothing anywhere (the benchmark declares no public prefix).
 */
export function proveIsolation(inputs: AccessInputs): { checked: number; breaches: Breach[] } {
  const model = new AccessModel(inputs.policies);
  const breaches: Breach[] = [];
  for (const subject of inputs.subjects) {
    for (const [bucket, grants] of model.reachableBuckets(subject.principal, inputs.buckets)) {
      if (inputs.bucketOwner.get(bucket) !== subject.owner || subject.owner === "") {
        breaches.push({ subject: subject.label, bucket, actions: grants.map((g) => g.action) });
      }
    }
  }
  return { checked: inputs.subjects.length, breaches };
}

/** One row of the access matrix: what a principal can do in one bucket. */
export interface MatrixCell {
  subject: string;
  bucket: string;
  grants: ActionGrant[];
}

/** The access matrix as the synth shows it: every principal's allowed actions per bucket. */
export function accessMatrix(inputs: AccessInputs): { cells: MatrixCell[]; markdown: string } {
  const model = new AccessModel(inputs.policies);
  const cells: MatrixCell[] = [];
  for (const subject of inputs.subjects) {
    for (const [bucket, grants] of model.reachableBuckets(subject.principal, inputs.buckets)) {
      cells.push({ subject: subject.label, bucket, grants });
    }
  }
  const lines = ["| principal | bucket | allowed actions |", "| --- | --- | --- |"];
  for (const cell of cells) {
    lines.push(
      `| ${cell.subject} | ${cell.bucket} | ${cell.grants.map((g) => g.action).join(", ")} |`,
    );
  }
  return { cells, markdown: lines.join("\n") };
}
