"""The Pulumi SDK's generated protocol modules, for the engine tests' model plugins, without the SDK.

They live in `pulumi.runtime.proto`, and importing that runs `pulumi/__init__.py`, which imports the whole SDK
(about 0.1 s of CPU). The model language host (engine/language_host.py, started twice in every CLI run of the
engine tests) and the model AWS provider (preflight/model_provider.py) need only the generated modules. So, in a
process that has not imported the SDK, its packages stand in as bare packages over their own folders while the
generated modules are imported, and every `pulumi` module is taken out of `sys.modules` after: the SDK imported
later is the whole SDK, its packages with all their attributes, and its generated modules, loaded again, hold the
same message classes (the protobuf runtime keeps one class per descriptor of its pool).
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import types
from collections.abc import Iterator
from pathlib import Path

SDK_PACKAGES = ("pulumi", "pulumi.runtime", "pulumi.runtime.proto")


@contextlib.contextmanager
def _bare_sdk_packages() -> Iterator[None]:
    if "pulumi" in sys.modules:  # the SDK is here already: its packages are the real ones
        yield
        return
    spec = importlib.util.find_spec("pulumi")
    assert spec and spec.submodule_search_locations, "the pulumi SDK is installed"
    root = Path(spec.submodule_search_locations[0])
    for name in SDK_PACKAGES:
        package = types.ModuleType(name)
        package.__path__ = [str(root.joinpath(*name.split(".")[1:]))]
        sys.modules[name] = package
    try:
        yield
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == "pulumi"]:
            del sys.modules[name]


with _bare_sdk_packages():
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2, provider_pb2, provider_pb2_grpc

__all__ = ["language_pb2", "language_pb2_grpc", "plugin_pb2", "provider_pb2", "provider_pb2_grpc"]
