"""What an edit would do to the stack's protected resources, said before anyone tries: the report's notes.

A change to a replace-on-change property replaces the resource (the provider facts' `replaceOnChanges`), and the
engine refuses to replace a protected one: `pulumi up` stops there. A compliance-mode vault lock goes further: once
its cooling-off is over, AWS refuses any change or removal, whoever asks (PutBackupVaultLockConfiguration).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from preflight.engine_model import ProviderFacts
from preflight.recorder import RecordedResource

VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"


def replacement_notes(resources: Iterable[RecordedResource], facts: ProviderFacts) -> list[str]:
    protected: dict[str, int] = defaultdict(int)
    cooling_off: dict[int, list[str]] = defaultdict(list)
    for resource in resources:
        if not resource.custom or not resource.protect:
            continue
        if facts.of(resource.type).replace_on_changes:
            protected[resource.type] += 1
        changeable = resource.inputs.get("changeableForDays") if resource.type == VAULT_LOCK else None
        if isinstance(changeable, int | float):
            cooling_off[int(changeable)].append(resource.name)
    notes = []
    if protected:
        kinds = "; ".join(f"{count} {token.rsplit(':', 1)[-1]} (on {', '.join(facts.of(token).replace_on_changes)})"
                          for token, count in sorted(protected.items()))
        notes.append(f"protected: `pulumi up` refuses an edit that would replace one of these, rather than lose what "
                     f"it holds: {kinds}")
    notes += [f"vault locks {', '.join(names)} are in compliance mode: {days} days after one is first applied, AWS "
              f"refuses any change or removal of it, whoever asks; edit its bounds before then, or never"
              for days, names in sorted(cooling_off.items())]
    return notes
