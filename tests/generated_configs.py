"""Hypothesis strategies for stack configs (test-only: hypothesis is a dev requirement). They follow the schema of
`components.config`: a new key or cross-field rule there needs its draw here.

- `valid_configs()` draws configs the schema must accept and the program must build: every cross-field rule of
  `components.config` holds by construction (names, references, regions, locks, lifecycles, replication).
- `invalid_configs()` draws a valid config with one deliberate mistake, and the key path the loader must name;
  `broken(valid)` draws such a copy of a given valid config.
- `junk_configs()` draws a valid config with one value anywhere replaced by junk of any type (`junked(valid)`: a
  copy of a given one): valid or not, the loader must answer with a config or key-path messages, never a
  traceback.

A config is drawn as the CLI hands it to a program: full keys (`aws-backups:plans`, `aws:region`) mapped to
strings, objects and lists as JSON text. `Drawn.stack` is the stack name the loader gets.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compliance import facts
from hypothesis import strategies as st

from components.config.loader import NAMESPACE, REGION_KEY, key_path
from components.config.presets import PRESETS
from components.config.resource_types import RESOURCE_TYPES
from components.config.type_rules import TABLE, types_reached
from components.config.vault import VaultEvent

REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2")
TIMEZONES = ("Etc/UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo")
EVENTS = tuple(VaultEvent.__args__)
ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
PRESET_NAMES = tuple(sorted(PRESETS))
TYPE_NAMES = tuple(sorted(RESOURCE_TYPES))
CONDITION_OPERATORS = ("stringEquals", "stringLike", "stringNotEquals", "stringNotLike")
KEY_IDS = ("11111111-2222-3333-4444-555555555555", "0f9e8d7c-6b5a-4321-8765-43210fedcba9")

KeyPath = tuple[str | int, ...]


@dataclass
class Drawn:
    """A drawn config: the namespace as a document (for mutations) and the stack name."""

    stack: str
    document: dict[str, Any]  # key without namespace (`vaults`) -> value; `aws:region` kept under REGION_KEY
    expected_path: str | None = None  # invalid configs: the key path the loader must name
    expected_reason: str = ""  # invalid configs: words its message must hold, when the mutation implies them
    mutation: str = ""  # what was broken (shown when a test fails)

    def cli_config(self) -> dict[str, str]:
        """Full-key config as the Pulumi CLI passes it to a program (strings; objects and lists as JSON)."""
        config = {}
        for key, value in self.document.items():
            full = key if key == REGION_KEY or ":" in key else f"{NAMESPACE}:{key}"
            config[full] = value if isinstance(value, str) else json.dumps(value)
        return config


# -- building blocks -------------------------------------------------------------------------------------------
# Constant choices are tuples: hypothesis caches a strategy built from hashable arguments, instead of building and
# validating a new one on every draw (a third of the drawing time).
# Names are drawn from pools (drawing text character by character costs more than the rest of a config); each
# pool holds ordinary names and odd ones the schema allows (one or two characters, digits, `_`, `.`, capitals).
VAULT_NAMES = ("primary", "dr", "archive", "ab", "vault_2", "cold-store-x_99", "Z9")
PLAN_NAMES = ("standard", "daily.db", "p", "critical_tier-1", "plan-with-15ch")
RULE_NAMES = ("Daily", "Weekly", "hourly", "r.1", "Retain_7y-archive", "x")
SELECTION_NAMES = ("tagged", "all-types", "s", "selection_2.b")
ITEM_NAMES = ("invoices", "docs", "a", "x0-y1", "long-name-0")
PREFIXES = ("acme", "a", "team-7", "x0-y1-z2-abc")
_tag_text = st.sampled_from(["backup", "owner", "cost-centre", "a", "k:v", "0", "data-classification"])
_tags = st.dictionaries(_tag_text, _tag_text, max_size=3)


def _names(pool: tuple[str, ...], min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size, unique=True)


@st.composite
def _lock(draw: st.DrawFn) -> dict[str, Any] | None:
    if not draw(st.booleans()):
        return None
    mode = draw(st.sampled_from(("governance", "compliance")))
    lock: dict[str, Any] = {"mode": mode}
    low = draw(st.none() | st.integers(1, 400))
    high = draw(st.none() | st.integers(max(low or 1, 1), facts.MAX_LIFECYCLE_DAYS))
    if low is not None:
        lock["minRetentionDays"] = low
    if high is not None:
        lock["maxRetentionDays"] = high
    if mode == "compliance":
        lock["changeableForDays"] = draw(st.integers(3, 60))
    return lock


def _lock_range(vault: dict[str, Any]) -> tuple[int, int | None]:
    """The retention days a vault's lock accepts: (low, high or None for unbounded)."""
    lock = vault.get("lock") or {}
    return lock.get("minRetentionDays", 1), lock.get("maxRetentionDays")


@st.composite
def _vault(draw: st.DrawFn, name: str, region: str, explicit_region: bool) -> dict[str, Any]:
    vault: dict[str, Any] = {"name": name}
    if explicit_region:
        vault["region"] = region
    if draw(st.booleans()):
        vault["kmsKeyArn"] = f"arn:aws:kms:{region}:{ACCOUNT}:key/{draw(st.sampled_from(KEY_IDS))}"
    if (lock := draw(_lock())) is not None:
        vault["lock"] = lock
    if draw(st.booleans()):
        vault["accessPolicy"] = {
            "denyDeletion": draw(st.booleans()),
            "breakGlassPrincipalArns": draw(
                st.lists(st.sampled_from([f"arn:aws:iam::{ACCOUNT}:role/break-glass",
                                          f"arn:aws:iam::{OTHER_ACCOUNT}:role/backup-admin"]),
                         max_size=2, unique=True)
            ),
        }
        if draw(st.booleans()):
            vault["accessPolicy"]["copyFromOrganizationId"] = "o-abcdef1234"
    if draw(st.booleans()):
        notifications: dict[str, Any] = {
            "subscriptions": draw(st.lists(st.sampled_from([
                {"protocol": "email", "endpoint": "ops@example.com"},
                {"protocol": "https", "endpoint": "https://hooks.example.com/backup"},
                {"protocol": "email", "endpoint": "all@example.com", "receiveSuccesses": True},
            ]).map(dict), max_size=2, unique_by=lambda s: s["protocol"])),  # copies: mutations change documents
        }
        if draw(st.booleans()):
            notifications["events"] = draw(st.lists(st.sampled_from(EVENTS), min_size=1, max_size=4, unique=True))
        vault["notifications"] = notifications
    return vault


def _intersect(ranges: list[tuple[int, int | None]]) -> tuple[int, int]:
    low = max(r[0] for r in ranges)
    highs = [r[1] for r in ranges if r[1] is not None]
    return low, min(highs, default=facts.MAX_LIFECYCLE_DAYS)


@st.composite
def _lifecycle(draw: st.DrawFn, low: int, high: int, continuous: bool = False) -> dict[str, Any] | None:
    """deleteAfterDays (and maybe coldStorageAfterDays) inside [low, high], or None when no value fits."""
    if continuous:
        high = min(high, facts.CONTINUOUS_BACKUP_MAX_DAYS)
    if low > high:
        return None
    delete = draw(st.integers(low, high))
    lifecycle: dict[str, Any] = {"deleteAfterDays": delete}
    if not continuous and delete > facts.COLD_STORAGE_MINIMUM_DAYS and draw(st.booleans()):
        lifecycle["coldStorageAfterDays"] = draw(st.integers(1, delete - facts.COLD_STORAGE_MINIMUM_DAYS))
    return lifecycle


def _cron(minute: int, hour: str, weekly: bool) -> str:
    return f"cron({minute} {hour} ? * SUN *)" if weekly else f"cron({minute} {hour} * * ? *)"


@st.composite
def _rule(draw: st.DrawFn, name: str, target: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A rule writing to `target`, maybe copying to some of `others`; None when no retention fits the locks."""
    copies = draw(st.lists(st.sampled_from(others), max_size=2, unique_by=lambda v: v["name"])) if others else []
    own_lifecycle = [draw(st.booleans()) for _ in copies]
    ranges = [_lock_range(target)] + [_lock_range(c) for c, own in zip(copies, own_lifecycle, strict=True) if not own]
    continuous = draw(st.booleans()) and not copies
    lifecycle = draw(_lifecycle(*_intersect(ranges), continuous=continuous))
    if lifecycle is None:
        return None
    rule: dict[str, Any] = {"vault": target["name"], **lifecycle}
    if draw(st.booleans()):
        rule["preset"] = draw(st.sampled_from(PRESET_NAMES))
        rule.setdefault("coldStorageAfterDays", None)  # the preset's own cold storage might not fit the locks
        if draw(st.booleans()):
            rule["name"] = name
    else:
        rule["name"] = name
        rule["schedule"] = _cron(draw(st.integers(0, 59)), draw(st.sampled_from(("5", "23", "*"))), draw(st.booleans()))
    if continuous:
        rule["continuousBackup"] = True
    if "coldStorageAfterDays" in rule and rule["coldStorageAfterDays"] is not None and draw(st.booleans()):
        rule["optInToArchiveForSupportedResources"] = True
    if draw(st.booleans()):
        rule["timezone"] = draw(st.sampled_from(TIMEZONES))
    if draw(st.booleans()):
        rule["startWindowMinutes"] = draw(st.integers(60, 480))
        rule["completionWindowMinutes"] = draw(st.integers(rule["startWindowMinutes"] + 60, 10080))
    if draw(st.booleans()):
        rule["recoveryPointTags"] = draw(_tags)
    rule["copyTo"] = []
    for vault, own in zip(copies, own_lifecycle, strict=True):
        copy_to: dict[str, Any] = {"vault": vault["name"]}
        if own:
            copy_lifecycle = draw(_lifecycle(*_intersect([_lock_range(vault)])))
            if copy_lifecycle is None:
                return None
            copy_to.update(copy_lifecycle)
        rule["copyTo"].append(copy_to)
    if draw(st.booleans()):
        rule["copyTo"].append({"vaultArn": f"arn:aws:backup:us-east-1:{OTHER_ACCOUNT}:backup-vault:central",
                               "deleteAfterDays": draw(st.integers(1, 3650))})
    return rule


@st.composite
def _selection(draw: st.DrawFn, name: str) -> dict[str, Any]:
    selection: dict[str, Any] = {"name": name}
    how = draw(st.sampled_from(("types", "all", "both")))
    if how in ("types", "both"):
        selection["resourceTypes"] = draw(st.lists(st.sampled_from(TYPE_NAMES), min_size=1, unique=True))
    if how in ("all", "both"):
        selection["resources"] = ["*"]
    conditions = {op: tags for op in draw(st.lists(st.sampled_from(CONDITION_OPERATORS), max_size=2, unique=True))
                  if (tags := draw(_tags))}
    if conditions:
        selection["conditions"] = conditions
    return selection


@st.composite
def _plan(draw: st.DrawFn, name: str, local: list[dict[str, Any]], vaults: list[dict[str, Any]]) -> dict | None:
    """A plan running in the default region: rules target a vault of that region, copies go anywhere."""
    rules = []
    for rule_name in draw(_names(RULE_NAMES, 1, 3)):
        target = draw(st.sampled_from(local))
        rule = draw(_rule(rule_name, target, [v for v in vaults if v is not target]))
        if rule is None:
            return None
        rules.append(rule)
    names = [rule.get("name") or PRESETS[rule["preset"]]["name"] for rule in rules]
    if len(set(names)) != len(names):  # a preset's own name can repeat another rule's
        return None
    selections = [draw(_selection(s)) for s in draw(_names(SELECTION_NAMES, 1, 2))]
    _drop_features_no_selected_type_has(rules, selections)
    plan: dict[str, Any] = {"name": name, "rules": rules, "selections": selections}
    if draw(st.booleans()):
        plan["windowsVss"] = True
    if draw(st.booleans()):
        plan["iamRoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/backup-service"
    return plan


def _drop_features_no_selected_type_has(rules: list[dict[str, Any]], selections: list[dict[str, Any]]) -> None:
    """A valid plan uses continuous backup, cold storage and the archive tier only if one of its selected types
    has them (the config refuses the rest: StackConfig._feature_problems)."""
    selected = {kind for selection in selections for kind in types_reached(
        selection.get("resourceTypes", []), selection.get("resources", []), [], "aws")}
    has = {feature: not TABLE.feature_problem(feature, selected, "aws")
           for feature in ("continuousBackup", "coldStorage", "archiveTier")}
    for rule in rules:
        if not has["continuousBackup"]:
            rule.pop("continuousBackup", None)
        if not has["coldStorage"]:
            rule["coldStorageAfterDays"] = None  # also overrides a preset's
            for copy_to in rule["copyTo"]:
                copy_to.pop("coldStorageAfterDays", None)
        if not (has["archiveTier"] and rule.get("coldStorageAfterDays")):
            rule.pop("optInToArchiveForSupportedResources", None)


@st.composite
def _replication(draw: st.DrawFn, name: str, region: str, topic_vaults: list[str]) -> dict[str, Any]:
    """A replicated bucket from `region` to another region; alarms to a topic of `region`."""
    rules = []
    for index, rule_id in enumerate(draw(_names(("everything", "r", "legal-hold"), 1, 2))):
        rule: dict[str, Any] = {"id": rule_id, "priority": index + draw(st.integers(0, 3)) * 10}
        tags = draw(_tags)
        if tags:
            rule["tags"] = tags
        rule["deleteMarkerReplication"] = False if tags else draw(st.booleans())
        if draw(st.booleans()):
            rule["prefix"] = draw(st.sampled_from(("a/", "contracts/", "logs/2026/")))
        rule["replicationTimeControl"] = draw(st.booleans())
        rule["metrics"] = True if rule["replicationTimeControl"] else draw(st.booleans())
        rules.append(rule)
    source: dict[str, Any] = {"noncurrentVersionExpiryDays": draw(st.integers(1, 3650))}
    if draw(st.booleans()):
        source.update(adopt=True, bucketName=f"existing-{name}", replaceExistingSettings=draw(st.booleans()))
        if not source["replaceExistingSettings"]:
            del source["noncurrentVersionExpiryDays"]  # the owners' lifecycle: refused without replaceExistingSettings
    alarms = (
        {"vault": draw(st.sampled_from(topic_vaults))}
        if topic_vaults and draw(st.booleans())
        else {"topicArn": f"arn:aws:sns:{region}:{ACCOUNT}:ops-alerts"}
    )
    return {
        "name": name,
        "tags": draw(_tags),
        "source": source,
        "destination": {
            "region": draw(st.sampled_from(tuple(r for r in REGIONS if r != region))),
            "storageClass": draw(st.sampled_from(("STANDARD", "STANDARD_IA", "GLACIER_IR", "DEEP_ARCHIVE"))),
            "noncurrentVersionExpiryDays": draw(st.integers(1, 3650)),
        },
        "bidirectional": draw(st.booleans()),
        "rules": rules,
        "alarms": alarms,
    }


# -- whole configs ---------------------------------------------------------------------------------------------
@st.composite
def valid_configs(draw: st.DrawFn) -> Drawn:
    stack = draw(st.sampled_from(("dev", "prod", "staging", "fuzz")))
    region = draw(st.sampled_from(REGIONS))
    document: dict[str, Any] = {REGION_KEY: region}
    if draw(st.booleans()):
        document["namePrefix"] = draw(st.sampled_from(PREFIXES))
    if draw(st.booleans()):
        document["production"] = draw(st.booleans())
    if draw(st.booleans()):
        document["tags"] = draw(_tags)

    vault_names = draw(_names(VAULT_NAMES, 0, 3))
    # The first vault is in the default region, so plans (which run there) have a target when there is a vault.
    vaults = [
        draw(_vault(name, region if index == 0 else draw(st.sampled_from(REGIONS)), draw(st.booleans())))
        for index, name in enumerate(vault_names)
    ]
    local = [vault for vault in vaults if vault.get("region", region) == region]
    plans = []
    if local:
        for plan_name in draw(_names(PLAN_NAMES, 0, 2)):
            plan = draw(_plan(plan_name, local, vaults))
            if plan is not None:
                plans.append(plan)
    topic_vaults = [vault["name"] for vault in local if "notifications" in vault]
    replication = [draw(_replication(name, region, topic_vaults)) for name in draw(_names(ITEM_NAMES, 0, 2))]
    for key, value in (("vaults", vaults), ("plans", plans), ("replication", replication)):
        if value or draw(st.booleans()):
            document[key] = value
    return Drawn(stack=stack, document=document)


# -- deliberate mistakes ---------------------------------------------------------------------------------------
Mutation = Callable[[st.DrawFn, dict[str, Any]], KeyPath | None]  # breaks the document; the path it broke, or None


def _pick(draw: st.DrawFn, document: dict[str, Any], *path: str) -> tuple[KeyPath, Any] | None:
    """A random item under a list path such as ('plans', 'rules'): (its path, the item), or None if there is none."""
    found: list[tuple[KeyPath, Any]] = [((), document)]
    for part in path:
        found = [((*where, part, index), item) for where, parent in found
                 for index, item in enumerate(parent.get(part) or [])]
    return draw(st.sampled_from(found)) if found else None


def _set_in_item(*list_path: str, key: str, bad: st.SearchStrategy[Any]) -> Mutation:
    def mutate(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
        picked = _pick(draw, document, *list_path)
        if picked is None:
            return None
        where, item = picked
        item[key] = draw(bad)
        return (*where, key)

    return mutate


def _set_top(key: str, bad: st.SearchStrategy[Any]) -> Mutation:
    def mutate(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
        document[key] = draw(bad)
        return (key,)

    return mutate


def _duplicate_vault(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    vaults = document.get("vaults") or []
    if not vaults:
        return None
    vaults.append(copy.deepcopy(draw(st.sampled_from(vaults))))
    return ("vaults", len(vaults) - 1, "name")


def _cold_too_close(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    picked = _pick(draw, document, "plans", "rules")
    if picked is None:
        return None
    where, rule = picked
    rule.pop("continuousBackup", None)
    rule["deleteAfterDays"] = draw(st.integers(2, 120))
    rule["coldStorageAfterDays"] = draw(st.integers(max(1, rule["deleteAfterDays"] - 89), rule["deleteAfterDays"]))
    return (*where, "deleteAfterDays")


def _continuous_with_cold(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    picked = _pick(draw, document, "plans", "rules")
    if picked is None:
        return None
    where, rule = picked
    rule.update(continuousBackup=True, coldStorageAfterDays=draw(st.integers(1, 30)))
    return (*where, "coldStorageAfterDays")


def _unknown_nested_key(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    list_path = draw(st.sampled_from([("vaults",), ("plans",), ("plans", "rules"), ("plans", "selections"),
                                      ("replication",), ("replication", "rules")]))
    picked = _pick(draw, document, *list_path)
    if picked is None:
        return None
    where, item = picked
    item["retentionDays"] = draw(st.none() | st.integers(1, 100))  # a plausible key the schema does not have
    return (*where, "retentionDays")


def _same_region_replica(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    picked = _pick(draw, document, "replication")
    if picked is None:
        return None
    where, item = picked
    item["destination"]["region"] = document[REGION_KEY]
    item.pop("crossRegion", None)
    return (*where, "destination", "region")


def _rtc_without_metrics(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    picked = _pick(draw, document, "replication", "rules")
    if picked is None:
        return None
    where, rule = picked
    rule.update(replicationTimeControl=True, metrics=False)
    return (*where, "replicationTimeControl")


def _selects_nothing(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    picked = _pick(draw, document, "plans", "selections")
    if picked is None:
        return None
    where, selection = picked
    selection.pop("resources", None)
    selection["resourceTypes"] = []
    return (*where, "resourceTypes")


def _not_json(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    key = draw(st.sampled_from(["vaults", "plans", "replication", "tags"]))
    document[key] = draw(st.sampled_from(["[{not json", "{'single': 'quotes'}", "[1, 2"]))
    return (key,)


def _bad_bucket_name(draw: st.DrawFn, document: dict[str, Any]) -> KeyPath | None:
    picked = _pick(draw, document, "replication")
    if picked is None:
        return None
    where, item = picked
    side = draw(st.sampled_from(["source", "destination"]))
    item[side]["bucketName"] = draw(st.sampled_from(BAD_BUCKET_NAMES))
    return (*where, side, "bucketName")


# One name for each clause of S3's general purpose bucket naming rules (compliance/facts.py).
BAD_BUCKET_NAMES = ("Data-Docs", "ab", "b" * 64, "-docs", "docs..data", "192.168.5.4", "xn--docs", "sthree-docs",
                    "amzn-s3-demo-docs", "docs-s3alias", "docs--ol-s3", "docs.mrap", "docs--x-s3", "docs--table-s3")
_bad_days = st.sampled_from([0, -5, facts.MAX_LIFECYCLE_DAYS + 1, 35.5, "many", [], {}])
# Not a number: `pulumi config set --path` stores digits as one, and a name given as 42 is the name "42".
_bad_name = st.sampled_from(["", "has space", "x" * 51, "semi;colon", True, None])

MUTATIONS: dict[str, Mutation] = {
    "deleteAfterDays out of range or wrong type": _set_in_item("plans", "rules", key="deleteAfterDays", bad=_bad_days),
    "cold storage less than 90 days before deletion": _cold_too_close,
    "continuous backup with cold storage": _continuous_with_cold,
    "schedule not AWS cron": _set_in_item("plans", "rules", key="schedule", bad=st.sampled_from(
        ["rate(1 hour)", "cron(0/5 * * * ? *)", "cron(0 5 * * * *)", "cron(0 5 * *)", "0 5 * * *", 5])),
    "timezone not IANA": _set_in_item("plans", "rules", key="timezone", bad=st.sampled_from(["Mars/Olympus", "UTC+2"])),
    "rule names a vault that does not exist": _set_in_item("plans", "rules", key="vault",
                                                           bad=st.sampled_from(["no-such-vault", "Primary "])),
    "vault name invalid": _set_in_item("vaults", key="name", bad=_bad_name),
    "plan name invalid": _set_in_item("plans", key="name", bad=_bad_name),
    "rule name invalid": _set_in_item("plans", "rules", key="name", bad=_bad_name),
    "bucket name invalid": _bad_bucket_name,
    "vault region misspelt": _set_in_item("vaults", key="region", bad=st.sampled_from(["eu-centrl-1", "us-est-1"])),
    "duplicate vault name": _duplicate_vault,
    "lock mode unknown": _set_in_item("vaults", key="lock", bad=st.fixed_dictionaries(
        {"mode": st.sampled_from(["strict", "COMPLIANCE", "", 1])})),
    "lock min above max": _set_in_item("vaults", key="lock", bad=st.builds(
        lambda: {"mode": "governance", "minRetentionDays": 400, "maxRetentionDays": 30})),
    "notification event unknown": _set_in_item("vaults", key="notifications", bad=st.builds(
        lambda: {"events": ["BACKUP_JOB_FAILED"]})),
    "empty rules": _set_in_item("plans", key="rules", bad=st.builds(list)),
    "selection selects nothing": _selects_nothing,
    "unknown resource type": _set_in_item("plans", "selections", key="resourceTypes",
                                          bad=st.builds(lambda: ["Floppy"])),
    "unknown nested key": _unknown_nested_key,
    "replica in the source region": _same_region_replica,
    "RTC without metrics": _rtc_without_metrics,
    "replication priority negative": _set_in_item("replication", "rules", key="priority", bad=st.just(-1)),
    "production not a boolean": _set_top("production", st.sampled_from(["maybe", "2", [True]])),
    "namePrefix invalid": _set_top("namePrefix", st.sampled_from(["-leading", "has space", "x" * 31])),
    "region invalid": _set_top(REGION_KEY, st.sampled_from(["moon-1", "EU-WEST-1", "eu-west", "eu-weest-1"])),
    "section not JSON": _not_json,
    "section of the wrong shape": _set_top("plans", st.sampled_from([5, "a string", {"name": "x"}, [7]])),
}


MUTATION_NAMES = tuple(sorted(MUTATIONS))


@st.composite
def broken(draw: st.DrawFn, valid: Drawn) -> Drawn:
    """A copy of a valid config with one mistake that the loader must report at `expected_path`."""
    drawn = Drawn(valid.stack, copy.deepcopy(valid.document))
    while True:  # ends: the top-level mutations always apply
        name = draw(st.sampled_from(MUTATION_NAMES))
        path = MUTATIONS[name](draw, drawn.document)
        if path is not None:
            drawn.expected_path = REGION_KEY if path == (REGION_KEY,) else key_path(path)
            drawn.mutation = name
            drawn.expected_reason = "is not a known key" if name == "unknown nested key" else ""
            return drawn


def invalid_configs() -> st.SearchStrategy[Drawn]:
    return valid_configs().flatmap(broken)


# Any JSON value, two levels deep: the types a stack file can hold and the ones it should not.
_scalar = (st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20)
           | st.sampled_from(("", "*", "true", "35", "cron(0 5 * * ? *)", "arn:aws:kms:::")))
junk = _scalar | st.lists(_scalar, max_size=3) | st.dictionaries(
    st.text(max_size=8), _scalar | st.lists(_scalar, max_size=2), max_size=3)


def _leaves(value: Any, path: KeyPath = ()) -> list[KeyPath]:
    """Every path in a document (containers and scalars alike)."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
    return found


@st.composite
def junked(draw: st.DrawFn, valid: Drawn) -> Drawn:
    """A copy of a valid config with one value (anywhere, at any depth) replaced by junk, or one key deleted."""
    drawn = Drawn(valid.stack, copy.deepcopy(valid.document))
    path = draw(st.sampled_from(_leaves(drawn.document)))
    parent: Any = drawn.document
    for part in path[:-1]:
        parent = parent[part]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
        drawn.mutation = f"deleted {path}"
    else:
        parent[path[-1]] = draw(junk)
        drawn.mutation = f"junk at {path}: {parent[path[-1]]!r}"
    return drawn


def junk_configs() -> st.SearchStrategy[Drawn]:
    return valid_configs().flatmap(junked)
