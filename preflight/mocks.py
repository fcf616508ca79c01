"""What the engine and the AWS provider would answer a program, without an engine or AWS.

Preview (the default) answers as a first `pulumi preview` does: a new resource's outputs are its inputs, and
everything the provider computes (id, ARN, auto-generated names) is unknown. `--up` answers as after
`pulumi up`: ids, names and ARNs are realistic, built from the stack's region and a fixed account.
Invokes run at preview too (the engine calls the provider for them), so they always answer realistic values.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
DEFAULT_REGION = "us-east-1"

# ARNs whose shape differs from the generic `arn:aws:<service>:<region>:<account>:<kind>/<id>`.
ARN_FORMATS = {
    "aws:backup/vault:Vault": "arn:{p}:backup:{region}:{account}:backup-vault:{id}",
    "aws:backup/plan:Plan": "arn:{p}:backup:{region}:{account}:backup-plan:{id}",
    "aws:backup/framework:Framework": "arn:{p}:backup:{region}:{account}:framework:{id}",
    "aws:backup/reportPlan:ReportPlan": "arn:{p}:backup:{region}:{account}:report-plan:{id}",
    "aws:kms/key:Key": "arn:{p}:kms:{region}:{account}:key/{id}",
    "aws:kms/alias:Alias": "arn:{p}:kms:{region}:{account}:{id}",
    "aws:sns/topic:Topic": "arn:{p}:sns:{region}:{account}:{id}",
    "aws:sqs/queue:Queue": "arn:{p}:sqs:{region}:{account}:{id}",
    "aws:iam/role:Role": "arn:{p}:iam::{account}:role/{id}",
    "aws:iam/policy:Policy": "arn:{p}:iam::{account}:policy/{id}",
    "aws:s3/bucket:Bucket": "arn:{p}:s3:::{id}",
    "aws:s3/bucketV2:BucketV2": "arn:{p}:s3:::{id}",
}
# The input that holds a resource's AWS name, where it is not `name`.
NAME_PROPERTIES = {"aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket"}
# Resources AWS identifies by a generated id rather than by their name.
GENERATED_IDS = {"aws:backup/plan:Plan", "aws:kms/key:Key"}
# Outputs that repeat the id under the resource's own name for it (an alias targets `key.key_id`).
ID_OUTPUTS = {"aws:kms/key:Key": "keyId"}


def _suffix(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _kebab(text: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in text).lstrip("-")


class PreflightMocks(Mocks):
    def __init__(self, *, preview: bool, region: str | None) -> None:
        self.preview = preview
        self.region = region or DEFAULT_REGION
        self.unsimulated_invokes: set[str] = set()

    # -- resources ---------------------------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        outputs = dict(args.inputs)
        if self.preview or not args.custom:
            # Missing outputs resolve as unknown at preview; an empty id is the provider's "unknown id".
            return "", outputs
        return self._created(args.typ, args.name, outputs)

    def _created(self, type_: str, name: str, outputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name_key = NAME_PROPERTIES.get(type_, "name")
        physical = outputs.get(name_key)
        if not isinstance(physical, str) or not physical:
            physical = f"{name}-{_suffix(type_, name)[:7]}"  # the engine's auto-name: logical name + random
            outputs[name_key] = physical
        resource_id = _suffix(type_, name)[:8] + "-" + _suffix(name)[:4] if type_ in GENERATED_IDS else physical
        region = outputs.get("region") if isinstance(outputs.get("region"), str) else self.region
        outputs.setdefault("region", region)
        outputs["id"] = resource_id
        if type_ in ID_OUTPUTS:
            outputs[ID_OUTPUTS[type_]] = resource_id
        outputs["arn"] = self._arn(type_, resource_id, region)
        return resource_id, outputs

    def _arn(self, type_: str, resource_id: str, region: str) -> str:
        template = ARN_FORMATS.get(type_)
        if template is None:
            package_module, kind = type_.split(":")[1:3] if type_.count(":") == 2 else ("index", type_)
            service = package_module.split("/")[0]
            template = f"arn:{{p}}:{service}:{{region}}:{{account}}:{_kebab(kind)}/{{id}}"
        return template.format(p=PARTITION, region=region, account=ACCOUNT_ID, id=resource_id)

    # -- invokes -----------------------------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        region = args.args.get("region") if isinstance(args.args.get("region"), str) else self.region
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/preflight",
                "id": ACCOUNT_ID,
                "userId": "AIDAPREFLIGHT",
            }, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "id": PARTITION,
                    "reverseDnsPrefix": "com.amazonaws"}, []
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": region, "name": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com",
                    "description": region}, []
        self.unsimulated_invokes.add(args.token)
        return {}, []
