"""Audit evidence resources as AWS accepts them: an Audit Manager framework's controls named and parameterised as
AWS documents them, within their ranges; report plans of AWS's templates and formats; restore testing plans and
selections within AWS's windows, testing a type AWS can restore-test, overriding only the restore metadata the type
takes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance import evidence_facts, facts
from compliance.resources import (
    FRAMEWORK,
    REPORT_PLAN,
    RESTORE_TESTING_PLAN,
    RESTORE_TESTING_SELECTION,
    Props,
    Resource,
)
from compliance.spec import PolicySpec, aws_limit

EVIDENCE = "aws-backups:evidence"
RESTORE = f"{EVIDENCE}.restoreTesting"


def _range_problem(value: float | None, bounds: tuple[int, int], what: str, key: str) -> str | None:
    if value is None or bounds[0] <= value <= bounds[1]:
        return None
    return (f"{what} {value:g} is outside AWS's {bounds[0]} to {bounds[1]}. Set a value in that range "
            f"(stack config: {key}).")


def _interval_problem(parameters: dict[str, str], unit_key: str, value_key: str, limits: dict[str, int],
                      control: str) -> str | None:
    unit, value = parameters.get(unit_key), parameters.get(value_key)
    if unit is None and value is None:
        return None
    if unit not in limits or value is None or not value.isdigit() or not 1 <= int(value) <= limits[unit]:
        allowed = " or ".join(f"{name} 1 to {high}" for name, high in limits.items())
        return (f"control {control}: {unit_key}={unit} {value_key}={value} is not what AWS takes (allowed: "
                f"{allowed}). Fix the framework (stack config: {EVIDENCE}.profile, whose figures set it).")
    return None


def _control_problems(control: Props) -> Iterator[str]:
    name = control.text("name") or ""
    documented = evidence_facts.CONTROL_PARAMETERS.get(name)
    if documented is None:
        yield (f"control {name!r} is not an AWS Backup Audit Manager control (allowed: "
               f"{', '.join(sorted(evidence_facts.CONTROL_PARAMETERS))}). Fix the framework's controls (stack config: "
               f"{EVIDENCE}.profile).")
        return
    parameters = {item.text("name") or "": item.text("value") or "" for item in control.items("inputParameters")}
    if unknown := sorted(set(parameters) - documented):
        yield (f"control {name} has no parameter {', '.join(unknown)} (allowed: "
               f"{', '.join(sorted(documented)) or 'none'}). Remove it from the control's inputParameters "
               f"(stack config: {EVIDENCE}.profile, whose figures set them).")
    for problem in (
        _interval_problem(parameters, "requiredFrequencyUnit", "requiredFrequencyValue",
                          evidence_facts.CONTROL_FREQUENCY_RANGE, name),
        _interval_problem(parameters, "recoveryPointAgeUnit", "recoveryPointAgeValue",
                          evidence_facts.CONTROL_RECOVERY_POINT_AGE_RANGE, name),
    ):
        if problem:
            yield problem
    for key, limit in (("principalArnList", evidence_facts.MAX_CONTROL_PRINCIPALS),
                       ("crossAccountList", evidence_facts.MAX_CONTROL_ACCOUNTS)):
        if key in parameters and len(parameters[key].split(",")) > limit:
            yield (f"control {name}: {key} lists {len(parameters[key].split(','))}, AWS takes at most {limit}. Give "
                   f"at most {limit} (stack config: {EVIDENCE}.profile and the stack's vaults and copies).")
    if len(control.child("scope").get("tags") or {}) > 1:
        yield (f"control {name}: a control scope takes one tag. Set a single tag in the control's scope.tags "
               f"(stack config: one tag condition shared by the plans' selections).")


def _report_plan_problems(props: Props) -> Iterator[str]:
    name, description = props.text("name"), props.text("description")
    if name is not None and not re.fullmatch(facts.FRAMEWORK_NAME_FORM, name):
        yield (f"report plan name {name!r} is not what CreateReportPlan takes (allowed: a letter, then letters, "
               f"digits or '_', at most 256). Rename the report plan (our component derives it from "
               f"aws-backups:namePrefix).")
    if description is not None and len(description) > evidence_facts.MAX_REPORT_PLAN_DESCRIPTION:
        yield (f"report plan description of {len(description)} characters is longer than AWS's "
               f"{evidence_facts.MAX_REPORT_PLAN_DESCRIPTION}. Set a shorter description.")
    template = props.child("reportSetting").text("reportTemplate")
    if template is not None and template not in evidence_facts.REPORT_TEMPLATES:
        yield (f"reportTemplate {template!r} is not an AWS Backup Audit Manager report (allowed: "
               f"{', '.join(evidence_facts.REPORT_TEMPLATES)}). Set reportTemplate to one of them (stack config: "
               f"{EVIDENCE}.reports.templates).")
    formats = props.child("reportDeliveryChannel").strings("formats")
    if unknown := [f for f in formats if f not in evidence_facts.REPORT_FORMATS]:
        yield (f"formats {', '.join(unknown)} are not report formats (allowed: "
               f"{', '.join(evidence_facts.REPORT_FORMATS)}). Set formats to those (stack config: "
               f"{EVIDENCE}.reports.formats).")


def check_evidence_limits(resource: Resource, _config: dict) -> Iterator[str]:
    props = resource.props
    if resource.kind == REPORT_PLAN:
        yield from _report_plan_problems(props)
        return
    if resource.kind == FRAMEWORK:
        name = props.text("name")
        if name is not None and not re.fullmatch(facts.FRAMEWORK_NAME_FORM, name):
            yield (f"framework name {name!r} is not what CreateFramework takes (allowed: a letter, then letters, "
                   f"digits or '_', at most 256). Rename the framework (our component derives it from "
                   f"aws-backups:namePrefix).")
        for control in props.items("controls"):
            yield from _control_problems(control)
        return
    name = props.text("name")
    if name is not None and not re.fullmatch(evidence_facts.RESTORE_TESTING_NAME_FORM, name):
        yield (f"restore testing name {name!r} is not what AWS takes (allowed: letters, digits or '_', at most 50). "
               f"Rename it (our component derives it from aws-backups:namePrefix).")
    if resource.kind == RESTORE_TESTING_PLAN:
        checks = ((props.number("startWindowHours"), evidence_facts.RESTORE_START_WINDOW_HOURS, "startWindowHours",
                   f"{RESTORE}.startWindowHours"),
                  (props.child("recoveryPointSelection").number("selectionWindowDays"),
                   evidence_facts.RESTORE_SELECTION_WINDOW_DAYS, "selectionWindowDays",
                   f"{RESTORE}.selectionWindowDays"))
    else:
        kind = props.text("protectedResourceType")
        if kind is not None and kind not in evidence_facts.RESTORE_TESTING_TYPES:
            yield (f"protectedResourceType {kind!r} is not a type AWS restore-tests (allowed: "
                   f"{', '.join(evidence_facts.RESTORE_TESTING_TYPES)}). Set protectedResourceType to one of them "
                   f"(stack config: {RESTORE}.types).")
        allowed = evidence_facts.RESTORE_METADATA_KEYS.get(kind or "")
        overrides = props.get("restoreMetadataOverrides") or {}
        if allowed is not None and isinstance(overrides, dict):
            known = {key.lower() for key in allowed}
            for key in sorted(key for key in overrides if key.lower() not in known):
                yield (f"restoreMetadataOverrides key {key!r} is not one {kind} takes (allowed: "
                       f"{', '.join(allowed)}). Remove it (stack config: {RESTORE}.metadataOverrides.{kind}).")
        checks = ((props.number("validationWindowHours"), evidence_facts.RESTORE_VALIDATION_WINDOW_HOURS,
                   "validationWindowHours", f"{RESTORE}.validationWindowHours"),)
    for value, bounds, what, key in checks:
        if problem := _range_problem(value, bounds, what, key):
            yield problem


LIMITS = PolicySpec(
    name="aws-backup-evidence-check-limits",
    description="Audit Manager frameworks, report plans and restore testing are what AWS accepts: documented "
                "controls and parameters within their ranges; report templates and formats; restore testing "
                "windows, types and metadata keys AWS takes.",
    why=f"CreateFramework, CreateReportPlan, CreateRestoreTestingPlan and CreateRestoreTestingSelection refuse "
        f"them half-way through `pulumi up`, or the control never evaluates ({aws_limit(26)}, {aws_limit(27)}, "
        f"{aws_limit(28)}).",
    severity="high",
    remediation="Use the control names and parameters AWS documents, within their ranges; the report templates "
                "and formats AWS has; keep restore testing windows within AWS's, the types AWS tests, and the "
                "metadata keys each type takes.",
    reads={FRAMEWORK: ("name", "controls[].name", "controls[].inputParameters[].name",
                       "controls[].inputParameters[].value", "controls[].scope.tags"),
           REPORT_PLAN: ("name", "description", "reportSetting.reportTemplate", "reportDeliveryChannel.formats"),
           RESTORE_TESTING_PLAN: ("name", "startWindowHours", "recoveryPointSelection.selectionWindowDays"),
           RESTORE_TESTING_SELECTION: ("name", "protectedResourceType", "validationWindowHours",
                                       "restoreMetadataOverrides")},
    check=check_evidence_limits,
    aws_limit=True,
)


POLICIES = [LIMITS]
