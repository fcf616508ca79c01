"""The steps the engine would plan from the base's resources to the head's, and what the engine or AWS would refuse.

A resource is the same one on both sides when its URN is: a changed checked input updates it, or replaces it when
the provider marks that input replace-on-change (the provider facts, as the model provider's Diff answers the real
engine). A resource whose input comes from a replaced one and is unknown until then changes with it. A URN only
on one side is a create or a delete; a delete and a create of the same type in the same place are a rename, which
the engine carries out as a replacement (the old one is deleted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from compliance.resources import is_unknown

from preflight.engine_model import ProviderFacts
from preflight.model_provider import changed_properties, replaced_by

VAULT = "aws:backup/vault:Vault"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
BUCKET = "aws:s3/bucket:Bucket"
KMS_KEY = "aws:kms/key:Key"
KINDS = ("replace", "delete", "update", "create")  # most consequential first


@dataclass(frozen=True)
class Step:
    kind: str  # one of KINDS
    type: str
    name: str
    urn: str
    changed: tuple[str, ...] = ()
    replaced_on: tuple[str, ...] = ()
    renamed_from: str | None = None
    protected: bool = False  # protected on the base side: the engine refuses to replace or delete it
    refusals: tuple[str, ...] = ()
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None

    @property
    def label(self) -> str:
        kind = self.type.rsplit(":", 1)[-1]
        return f"{kind} '{self.renamed_from}' (renamed '{self.name}')" if self.renamed_from else f"{kind} '{self.name}'"


def _place(resource: Mapping[str, Any]) -> tuple[str, str]:
    """Type and parent chain of types: where a resource sits, whatever its name."""
    return resource["type"], resource["urn"].split("::")[-2]


def _refusals(kind: str, old: Mapping[str, Any]) -> tuple[str, ...]:
    if kind not in ("replace", "delete", "update"):
        return ()
    inputs, token = old.get("inputs") or {}, old["type"]
    found = []
    if old.get("protect") and kind != "update":
        found.append(f"the engine refuses: {token.rsplit(':', 1)[-1]} '{old['name']}' is protected; `pulumi up` stops "
                     f"rather than {'replace' if kind == 'replace' else 'delete'} it")
    cooling = inputs.get("changeableForDays")
    if token == VAULT_LOCK and isinstance(cooling, int | float):
        found.append(f"AWS refuses any change or removal of this compliance-mode lock once its cooling-off "
                     f"({cooling:.0f} days after it was first applied) is over (PutBackupVaultLockConfiguration)")
    if token == VAULT and kind != "update":
        found.append("AWS refuses to delete a vault that still holds recovery points (DeleteBackupVault: the vault "
                     "must be empty); in a locked vault they cannot be deleted before their retention ends")
    if token == BUCKET and kind != "update" and not inputs.get("forceDestroy"):
        found.append("S3 refuses to delete a bucket that is not empty (forceDestroy is off)")
    if token == KMS_KEY and kind != "update":
        found.append("the old key is scheduled for deletion: what it encrypted becomes unreadable after the "
                     "deletion window")
    return tuple(found)


def _step(kind: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, changed: Iterable[str] = (),
          replaced_on: Iterable[str] = (), renamed_from: str | None = None) -> Step:
    shown = new or old
    assert shown is not None
    return Step(kind=kind, type=shown["type"], name=shown["name"], urn=shown["urn"], changed=tuple(changed),
                replaced_on=tuple(replaced_on), renamed_from=renamed_from,
                protected=bool(old and old.get("protect")), refusals=_refusals(kind, old) if old else (),
                before=(old or {}).get("inputs"), after=(new or {}).get("inputs"))


def _managed(resources: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The resources a provider manages (custom, not providers), by URN."""
    return {r["urn"]: r for r in resources if r.get("custom", True) and not r["type"].startswith("pulumi:")}


def _cascade(resource: Mapping[str, Any], renewed: set[str]) -> list[str]:
    """The properties whose value comes from a replaced or new resource and is unknown until it exists."""
    inputs = resource.get("inputs") or {}
    return sorted(key for key, sources in (resource.get("propertyDependencies") or {}).items()
                  if renewed.intersection(sources) and is_unknown(inputs.get(key)))


def planned_steps(base: Iterable[Mapping[str, Any]], head: Iterable[Mapping[str, Any]],
                  facts: ProviderFacts) -> list[Step]:
    before, after = _managed(base), _managed(head)
    steps: list[Step] = []
    renewed: set[str] = set()  # URNs whose outputs (ids, ARNs) will be new
    deleted = [urn for urn in before if urn not in after]
    created = [urn for urn in after if urn not in before]
    renames: dict[str, str] = {}  # created URN -> deleted URN
    for urn in created:
        match = next((old for old in deleted if old not in renames.values()
                      and _place(before[old]) == _place(after[urn])), None)
        if match:
            renames[urn] = match
    for urn, new in after.items():
        if urn in renames:
            old = before[renames[urn]]
            changed = changed_properties(old.get("inputs") or {}, new.get("inputs") or {})
            steps.append(_step("replace", old, new, changed, renamed_from=old["name"]))
            renewed.add(urn)
        elif urn not in before:
            steps.append(_step("create", None, new))
            renewed.add(urn)
        else:
            old = before[urn]
            changed = set(changed_properties(old.get("inputs") or {}, new.get("inputs") or {}))
            changed |= set(_cascade(new, renewed))
            replaces = replaced_by(facts.of(new["type"]).replace_on_changes, sorted(changed))
            if replaces:
                steps.append(_step("replace", old, new, sorted(changed), replaces))
                renewed.add(urn)
            elif changed:
                steps.append(_step("update", old, new, sorted(changed)))
    steps += [_step("delete", before[urn], None) for urn in deleted if urn not in renames.values()]
    # By kind, then URN: the program's registration order varies from run to run (outputs resolve in any order),
    # and a pull-request comment must not reorder itself on every push.
    return sorted(steps, key=lambda step: (KINDS.index(step.kind), step.urn))
