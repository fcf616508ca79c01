"""The Pulumi SDK's generated language-host protocol modules, for the model language host, without the SDK.

They live in `pulumi.runtime.proto`, and importing that runs `pulumi/__init__.py`, which imports the whole SDK
(about 0.1 s of CPU); the host starts twice in every CLI run of the engine tests and needs only these generated
modules. So, in a process that has not imported the SDK, its packages are entered as bare packages over their own
folders, and the generated modules import from them as they always do.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path


def _bare_sdk_packages() -> None:
    if "pulumi" in sys.modules:
        return  # the SDK is here already: its packages are the real ones
    spec = importlib.util.find_spec("pulumi")
    assert spec and spec.submodule_search_locations, "the pulumi SDK is installed"
    root = Path(spec.submodule_search_locations[0])
    for name, folder in (("pulumi", root), ("pulumi.runtime", root / "runtime"),
                         ("pulumi.runtime.proto", root / "runtime" / "proto")):
        package = types.ModuleType(name)
        package.__path__ = [str(folder)]
        sys.modules[name] = package


_bare_sdk_packages()

from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2  # noqa: E402

__all__ = ["language_pb2", "language_pb2_grpc", "plugin_pb2"]
