"""What the engine and the AWS provider would answer a program, without an engine or AWS.

Resources are created by the engine model (`engine_model.py`): at a first preview (the default) a new resource's
outputs are its checked inputs with every attribute the provider computes unknown, and its id unknown; with
`--up` they are what the provider reads back after `pulumi up` (realistic ids and ARNs in the stack's region,
account 123456789012, the zeros and blocks AWS fills in).
Invokes run at preview too (the engine calls the provider for them), so they always answer realistic values:
the partition and DNS suffix follow the region (`aws-us-gov` for `us-gov-*`, `aws-cn` for `cn-*`).
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from preflight.engine_model import ACCOUNT_ID, DEFAULT_REGION, EngineModel, invoke

__all__ = ["ACCOUNT_ID", "DEFAULT_REGION", "PreflightMocks"]


class PreflightMocks(Mocks):
    def __init__(self, *, preview: bool, region: str | None) -> None:
        self.preview = preview
        self.region = region or DEFAULT_REGION
        self.model = EngineModel(preview=preview, default_region=self.region)
        self.unsimulated_invokes: set[str] = set()

    # -- resources ---------------------------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """The provider's Create of a resource whose (checked) inputs are `args.inputs`; a component's outputs
        are its inputs."""
        if not args.custom:
            return "", dict(args.inputs)
        return self.model.create(args.typ, args.name, args.inputs)

    # -- invokes -----------------------------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = invoke(args.token, args.args, self.region)
        if answer is None:
            self.unsimulated_invokes.add(args.token)
        return answer or {}, []
