"""The report: text shaped like `pulumi preview --policy-pack`, the JSON object, and the exit status."""

import json

import pytest

from preflight.analysis import Analysis, NotApplicable
from preflight.pack_client import Diagnostic
from preflight.recorder import RecordedResource
from preflight.report import Outcome, render_json, render_text, to_json

STACK = "urn:pulumi:prod::demo::pulumi:pulumi:Stack::demo-prod"
COMPONENT = "urn:pulumi:prod::demo::pulumi:pulumi:Stack$demo:index:Vault::main"
VAULT = "urn:pulumi:prod::demo::demo:index:Vault$aws:backup/vault:Vault::main"
KEY = "urn:pulumi:prod::demo::demo:index:Vault$aws:kms/key:Key::main"
PLAN = "urn:pulumi:prod::demo::pulumi:pulumi:Stack$aws:backup/plan:Plan::daily"
CANT_RUN = "can't run policy 'plan-arn' from policy pack 'p@v1' during preview: can't read unknown value"

RESOURCES = [
    RecordedResource(type="pulumi:pulumi:Stack", name="demo-prod", urn=STACK, properties={}),
    RecordedResource(type="demo:index:Vault", name="main", urn=COMPONENT, properties={}, parent=STACK),
    RecordedResource(type="aws:kms/key:Key", name="main", urn=KEY, properties={}, parent=COMPONENT),
    RecordedResource(type="aws:backup/vault:Vault", name="main", urn=VAULT, properties={"name": "v"},
                     parent=COMPONENT, protect=True),
    RecordedResource(type="aws:backup/plan:Plan", name="daily", urn=PLAN, properties={}, parent=STACK),
]


def _outcome(diagnostics, *, strict=False, not_applicable=(), preview=True, shape="engine"):
    analysis = Analysis(pack_name="p", pack_version="1.0.0", policy_levels={"retention": "mandatory"},
                        diagnostics=list(diagnostics), not_applicable=list(not_applicable))
    return Outcome(stack="prod", project="demo", preview=preview, shape=shape, pack_dir="policies",
                   resources=RESOURCES, analysis=analysis, strict=strict, notes=["a note"])


@pytest.mark.parametrize(("preview", "shape", "header"), [
    (True, "engine", "(first preview; sent to the pack as by the engine: checked inputs to Analyze, planned outputs "
                     "to AnalyzeStack)"),
    (False, "engine", "(--up: the stack after `pulumi up`; sent to the pack as by the engine: checked inputs to "
                      "Analyze, outputs read back from AWS to AnalyzeStack)"),
    (True, "inputs", "(first preview; sent to the pack: the program's inputs, not what the engine sends)"),
])
def test_the_header_says_which_shape_was_sent(preview, shape, header):
    first = render_text(_outcome([], preview=preview, shape=shape)).splitlines()[0]
    assert first == f"Previewing update (prod) offline {header}, policy pack p@v1.0.0 (local: policies):"
    assert to_json(_outcome([], preview=preview, shape=shape))["shape"] == shape


VIOLATION = Diagnostic("retention", "mandatory", PLAN, "Plans keep backups long enough.\nRule daily keeps 7 days.")
ADVICE = Diagnostic("tags", "advisory", VAULT, "Vaults carry tags.")
COULD_NOT_RUN = Diagnostic("plan-arn", "advisory", PLAN, CANT_RUN)


def test_text_shows_the_tree_under_the_stack():
    lines = render_text(_outcome([])).splitlines()
    tree = [line.rstrip() for line in lines[3:8]]
    assert [line.split()[-2:] for line in tree] == [
        ["pulumi:pulumi:Stack", "demo-prod"],
        ["aws:backup/plan:Plan", "daily"],
        ["demo:index:Vault", "main"],
        ["aws:backup/vault:Vault", "main"],
        ["aws:kms/key:Key", "main"],
    ]
    assert tree[1].startswith(" +   ├─ aws:backup/plan:Plan ")
    assert tree[2].startswith(" +   └─ demo:index:Vault ")
    assert tree[3].startswith(" +      ├─ aws:backup/vault:Vault ")
    assert tree[4].startswith(" +      └─ aws:kms/key:Key ")


def test_text_policy_lines_as_pulumi_prints_them():
    text = render_text(_outcome([ADVICE, VIOLATION]))
    assert ("Policies:\n"
            "    [mandatory]  retention  (aws:backup/plan:Plan: daily)\n"
            "      Plans keep backups long enough.\n"
            "      Rule daily keeps 7 days.\n"
            "    [advisory]  tags  (aws:backup/vault:Vault: main)\n"
            "      Vaults carry tags.\n") in text


def test_text_lists_policies_that_could_not_run_apart():
    text = render_text(_outcome([COULD_NOT_RUN]))
    assert "    no violations" in text
    assert "Could not run (the policy read a value that is unknown until the resources exist):\n" \
           "    plan-arn  (aws:backup/plan:Plan: daily)\n" in text


def test_text_counts_and_summary():
    text = render_text(_outcome([VIOLATION, COULD_NOT_RUN], not_applicable=[NotApplicable("tags", KEY, "no")]))
    assert "    + 5 to create\n" in text
    assert "          1  aws:backup/vault:Vault\n" in text
    assert "Notes:\n    a note\n" in text
    assert text.endswith("Summary: 1 mandatory, 0 advisory, 1 could not run, 1 not applicable "
                         "-> the update would be blocked\n")


@pytest.mark.parametrize(("diagnostics", "strict", "code"), [
    ([], False, 0),
    ([ADVICE], False, 0),
    ([COULD_NOT_RUN], False, 0),
    ([COULD_NOT_RUN], True, 1),
    ([VIOLATION], False, 1),
    ([Diagnostic("retention", "mandatory", PLAN, CANT_RUN)], False, 0),  # not a verdict, whatever its level
])
def test_exit_code(diagnostics, strict, code):
    assert _outcome(diagnostics, strict=strict).exit_code == code


def test_json_object():
    document = json.loads(render_json(_outcome([VIOLATION, ADVICE, COULD_NOT_RUN],
                                               not_applicable=[NotApplicable("tags", KEY, "no")])))
    assert document["stack"] == "prod"
    assert document["resources"][3] == {"type": "aws:backup/vault:Vault", "name": "main", "urn": VAULT,
                                        "parent": COMPONENT, "inputs": {"name": "v"}, "outputs": {"name": "v"},
                                        "protect": True, "custom": True, "propertyDependencies": {}}
    assert document["diagnostics"] == [
        {"policy": "retention", "level": "mandatory", "urn": PLAN, "message": VIOLATION.message},
        {"policy": "tags", "level": "advisory", "urn": VAULT, "message": "Vaults carry tags."},
    ]
    assert document["couldNotRun"] == [{"policy": "plan-arn", "level": "advisory", "urn": PLAN, "message": CANT_RUN}]
    assert document["notApplicable"] == [{"policy": "tags", "urn": KEY, "reason": "no"}]
    assert document["summary"] == {"resources": 5, "mandatory": 1, "advisory": 1, "couldNotRun": 1, "exitCode": 1}
    assert to_json(_outcome([]))["summary"]["exitCode"] == 0
