"""A model of the pulumi-aws resource provider, served over the real provider gRPC protocol.

The real provider cannot be built here (pulumi-aws compiles a patched Terraform provider), so the real engine is
given this one: every answer comes from the engine model and its provider facts (`engine_model.py`,
`data/aws_provider_facts.json`), the same ones preflight answers from. Check fills what the provider's Check fills;
Diff reports replace-on-change properties (and delete-before-replace where pulumi-aws asks for it); Create plans
unknowns at preview and reads back what AWS fills after `up`; Read, Update and Delete keep the state; the invokes
the program calls are answered. A type without facts fails loudly.

Run as a plugin: `python -m preflight.model_provider` prints its port and serves until killed (the engine starts
it as `pulumi-resource-aws`, `engine/bin/` in this repository).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Mapping
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2

from preflight.engine_model import AWS_PACKAGE, DEFAULT_REGION, EngineModel, ProviderFacts, invoke, load_facts
from preflight.sdk_protocol import plugin_pb2, provider_pb2, provider_pb2_grpc


def _dict(message: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct as plain JSON data (numbers as floats); unknown values stay the engine's sentinel string."""
    return json_format.MessageToDict(message)


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


def _type_and_name(urn: str) -> tuple[str, str]:
    """`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` -> (type, name)."""
    parts = urn.split("::")
    return parts[-2].split("$")[-1], parts[-1]


def changed_properties(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The top-level properties whose checked input differs (set, unset or changed)."""
    return sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))


def replaced_by(facts_paths: tuple[str, ...], changed: list[str]) -> list[str]:
    """The changed properties that replace the resource: a replace-on-change path at or under them."""
    roots = {path.split(".")[0].removesuffix("[]") for path in facts_paths}
    return [key for key in changed if key in roots]


class ModelProvider(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self, facts: ProviderFacts) -> None:
        self.facts = facts
        self.config: dict[str, Any] = {}

    # -- the provider itself --------------------------------------------------------------------------------------
    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=self.facts.package_version)

    def CheckConfig(self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext
                    ) -> provider_pb2.CheckResponse:
        return provider_pb2.CheckResponse(inputs=request.news)

    def Configure(self, request: provider_pb2.ConfigureRequest, context: grpc.ServicerContext
                  ) -> provider_pb2.ConfigureResponse:
        self.config = _dict(request.args) if request.HasField("args") else {
            key.split(":")[-1]: value for key, value in request.variables.items()}
        return provider_pb2.ConfigureResponse(acceptSecrets=False, supportsPreview=True, acceptResources=False)

    @property
    def region(self) -> str:
        region = self.config.get("region")
        return region if isinstance(region, str) and region else DEFAULT_REGION

    def _model(self, preview: bool) -> EngineModel:
        return EngineModel(preview=preview, default_region=self.region, facts=self.facts)

    def _known_type(self, type_: str, context: grpc.ServicerContext) -> None:
        if not type_.startswith(AWS_PACKAGE) or type_ not in self.facts.types:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"the model AWS provider has no facts for {type_}: add it to "
                          f"preflight/data/aws_provider_facts.json, with its sources")

    # -- resources ------------------------------------------------------------------------------------------------
    def Check(self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext) -> provider_pb2.CheckResponse:
        type_, name = _type_and_name(request.urn)
        self._known_type(type_, context)
        checked = self._model(preview=True).check(type_, name, _dict(request.news), self.config)
        return provider_pb2.CheckResponse(inputs=_struct(checked))

    def Diff(self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext) -> provider_pb2.DiffResponse:
        type_, _ = _type_and_name(request.urn)
        facts = self.facts.of(type_)
        changed = changed_properties(_dict(request.old_inputs), _dict(request.news))
        replaces = replaced_by(facts.replace_on_changes, changed)
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed, replaces=replaces, deleteBeforeReplace=bool(replaces) and facts.delete_before_replace)

    def Create(self, request: provider_pb2.CreateRequest, context: grpc.ServicerContext
               ) -> provider_pb2.CreateResponse:
        type_, name = _type_and_name(request.urn)
        self._known_type(type_, context)
        resource_id, outputs = self._model(request.preview).create(type_, name, _dict(request.properties))
        return provider_pb2.CreateResponse(id=resource_id, properties=_struct(outputs))

    def Read(self, request: provider_pb2.ReadRequest, context: grpc.ServicerContext) -> provider_pb2.ReadResponse:
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def Update(self, request: provider_pb2.UpdateRequest, context: grpc.ServicerContext
               ) -> provider_pb2.UpdateResponse:
        """The new inputs over the old state, with what the provider computes planned (preview) or read back."""
        type_, name = _type_and_name(request.urn)
        _, outputs = self._model(request.preview).create(type_, name, _dict(request.news))
        return provider_pb2.UpdateResponse(properties=_struct({**_dict(request.olds), **outputs}))

    def Delete(self, request: provider_pb2.DeleteRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    # -- invokes --------------------------------------------------------------------------------------------------
    def Invoke(self, request: provider_pb2.InvokeRequest, context: grpc.ServicerContext
               ) -> provider_pb2.InvokeResponse:
        answer = invoke(request.tok, _dict(request.args), self.region)
        if answer is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the model AWS provider does not answer {request.tok}")
        return provider_pb2.InvokeResponse(**{"return": _struct(answer)})

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()


def serve(facts: ProviderFacts | None = None) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(ModelProvider(facts or load_facts()), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")  # the engine reads the port from the first line
    sys.stdout.flush()
    signal.signal(signal.SIGINT, lambda *_: server.stop(grace=1))  # how the CLI ends its plugins
    server.wait_for_termination()


if __name__ == "__main__":
    serve()
