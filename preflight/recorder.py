"""A Pulumi mock monitor that records every resource a program registers, as the engine would hand it to a
policy pack: engine (camelCase) property names, unknown values as the engine's sentinel, parent, dependencies,
property dependencies, provider and resource options; for custom resources the provider's checked inputs (what
`Analyze` gets) and the resource's outputs (what `AnalyzeStack` gets), from the engine model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs
from pulumi.runtime.proto import resource_pb2

from preflight.engine_model import without_nulls
from preflight.mocks import PreflightMocks
from preflight.pack_client import AnalyzedResource, ProviderRef

STACK_TYPE = "pulumi:pulumi:Stack"
# The SDK's marker for a resource reference inside a property value (pulumi/runtime/rpc.py).
SIG_KEY = "4dabf18193072939515e22adb298388d"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


# What the pack is sent: "engine", as the engine sends it (checked inputs to Analyze, outputs to AnalyzeStack), or
# "inputs", the program's own inputs to both (the shape preflight sent before it modelled the engine).
SHAPES = ("engine", "inputs")


@dataclass
class RecordedResource(AnalyzedResource):
    """An analysed resource plus what the Analyzer protocol does not carry but program tests check."""

    retain_on_delete: bool = False
    delete_before_replace: bool = False
    custom: bool = True
    program_inputs: dict[str, Any] | None = None  # as the program registered them (null for unset fields)

    @property
    def inputs(self) -> dict[str, Any]:
        """The inputs the program set, as its SDK reads them back: without the nulls sent for the unset fields of
        input types (program tests read these)."""
        return without_nulls(self.properties if self.program_inputs is None else self.program_inputs)


def _as_analyzer_sees_it(value: Any) -> Any:
    """Resource references become their id (custom resources) or URN (components), as the engine marshals
    properties for an analyzer that does not accept resource references."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_SIG:
            return value.get("id") or value.get("urn", "")
        return {k: _as_analyzer_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_analyzer_sees_it(v) for v in value]
    return value


def default_provider(stack: str, project: str, package: str, version: str, config: dict[str, str]) -> ProviderRef:
    """The provider the engine creates for resources that name none: `pulumi:providers:<package>` configured
    from the stack's `<package>:*` keys."""
    name = f"default_{version.replace('.', '_')}"
    type_ = f"pulumi:providers:{package}"
    properties: dict[str, Any] = {
        key.split(":", 1)[1]: value for key, value in config.items() if key.startswith(f"{package}:")
    }
    properties["version"] = version
    return ProviderRef(type=type_, urn=f"urn:pulumi:{stack}::{project}::{type_}::{name}", name=name,
                       properties=properties)


class RecordingMonitor(MockMonitor):
    """Records each registration in order; `analyzed_resources()` gives the program's resources as the engine
    knows them.

    `mocks` check each resource's inputs first, as the provider's Check does (their engine model), then create
    it (they answer the program with the outputs the engine would give it). `default_providers` maps a package
    name (`aws`) to the provider its resources get when they name none. `on_record`, if given, gets each resource
    as it registers, as the engine hands each registration to the analyzers (in the program's thread:
    `program.run_under_mocks` runs the SDK's monitor calls inline). `shape` is what the pack is sent (SHAPES).
    """

    def __init__(self, mocks: PreflightMocks, default_providers: dict[str, ProviderRef],
                 on_record: Callable[[RecordedResource], None] | None = None, shape: str = "engine") -> None:
        super().__init__(mocks)
        self.default_providers = default_providers
        self.on_record = on_record
        self.shape = shape
        self.recorded: list[RecordedResource] = []
        self._by_urn: dict[str, RecordedResource] = {}

    def RegisterResource(self, request: resource_pb2.RegisterResourceRequest) -> resource_pb2.RegisterResourceResponse:
        if request.type == STACK_TYPE:
            response = super().RegisterResource(request)
            self._record(request, response.urn, None, {}, {}, {})
            return response
        urn = self.make_urn(request.parent, request.type, request.name)
        program_inputs = _as_analyzer_sees_it(json_format.MessageToDict(request.object))
        provider = self._provider(request)
        provider_config = provider.properties if provider else {}
        checked = (self.mocks.model.check(request.type, request.name, program_inputs, provider_config)
                   if request.custom else without_nulls(program_inputs))
        resource_id, outputs = self.mocks.new_resource(MockResourceArgs(
            typ=request.type, name=request.name, inputs=checked, provider=request.provider, custom=request.custom))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
        self._record(request, urn, provider, program_inputs, checked, outputs)
        state = struct_pb2.Struct()
        state.update(outputs)  # unknown values stay the engine's sentinel, which the SDK reads as unknown
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id or "", object=state)

    def _record(self, request: resource_pb2.RegisterResourceRequest, urn: str, provider: ProviderRef | None,
                program_inputs: dict[str, Any], checked: dict[str, Any], outputs: dict[str, Any]) -> None:
        engine = self.shape == "engine"
        resource = RecordedResource(
            type=request.type,
            name=request.name,
            urn=urn,
            properties=checked if engine else program_inputs,
            outputs=outputs if engine and request.custom else None,
            parent=request.parent,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            protect=request.protect,
            provider=provider,
            retain_on_delete=request.retainOnDelete,
            delete_before_replace=request.deleteBeforeReplace,
            custom=request.custom,
            program_inputs=program_inputs,
        )
        self.recorded.append(resource)
        self._by_urn[resource.urn] = resource
        if self.on_record is not None:
            self.on_record(resource)

    def _provider(self, request: resource_pb2.RegisterResourceRequest) -> ProviderRef | None:
        if not request.custom or request.type.startswith("pulumi:providers:"):
            return None
        if request.provider:
            urn = request.provider.rsplit("::", 1)[0]  # a provider reference is `<urn>::<id>`
            explicit = self._by_urn.get(urn)
            if explicit is not None:
                return ProviderRef(type=explicit.type, urn=urn, name=explicit.name, properties=explicit.properties)
        return self.default_providers.get(request.type.split(":", 1)[0])

    def analyzed_resources(self) -> list[RecordedResource]:
        """The program's resources, with each default provider that one of them uses placed after the stack
        (the engine creates them first, as children of the stack)."""
        stack = [r for r in self.recorded if r.type == STACK_TYPE]
        used = {r.provider.urn for r in self.recorded if r.provider is not None}
        providers = [
            RecordedResource(type=p.type, name=p.name, urn=p.urn, properties=p.properties,
                             parent=stack[0].urn if stack else "", custom=True)
            for p in self.default_providers.values() if p.urn in used
        ]
        return stack + providers + [r for r in self.recorded if r.type != STACK_TYPE]
