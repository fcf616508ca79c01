"""What AWS Backup Audit Manager will check after deploy: the controls of the stack's frameworks as the program
registered them (compliance.audit_controls maps the profile's figures to them), and whether that profile is the
one the gate ran with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compliance.audit_controls import left_out
from compliance.resources import FRAMEWORK

from preflight.recorder import RecordedResource

PROFILE_TAG = "compliance-profile"
# AWS Backup Developer Guide, "Turning on resource tracking" and "Choosing your controls".
AWS_CONFIG_PREREQUISITE = ("AWS Config must record AWS::Backup::BackupPlan, AWS::Backup::BackupSelection, "
                           "AWS::Backup::BackupVault, AWS::Backup::RecoveryPoint and AWS::Config::ResourceCompliance "
                           "in each framework's region, or the controls have nothing to evaluate")


def _control(control: dict[str, Any]) -> str:
    values = ", ".join(f"{p['name']}={p['value']}" for p in control.get("inputParameters") or [])
    tags = ", ".join(f"{k}={v}" for k, v in ((control.get("scope") or {}).get("tags") or {}).items())
    return control["name"] + (f" ({values})" if values else "") + (f" on resources tagged {tags}" if tags else "")


def audit_frameworks(resources: list[RecordedResource]) -> list[dict[str, Any]]:
    """One entry per framework: {name, region, profile, controls: [text], leftOut: [why]}."""
    return [{"name": r.properties.get("name"), "region": r.properties.get("region"),
             "profile": (r.properties.get("tags") or {}).get(PROFILE_TAG),
             "controls": [_control(control) for control in r.properties.get("controls") or []],
             "leftOut": left_out(r.properties.get("description") or "")}
            for r in resources if r.type == FRAMEWORK]


def render_lines(frameworks: list[dict[str, Any]], policy_config: str | None) -> list[str]:
    lines = ["", "After deploy, AWS Backup Audit Manager checks (continuously, through AWS Config):"]
    for framework in frameworks:
        lines.append(f"    framework {framework['name']} in {framework['region']}, the figures of profile "
                     f"{framework['profile']}:")
        lines += [f"      {control}" for control in framework["controls"]]
        lines += [f"      left out: {reason}" for reason in framework["leftOut"]]
    gate = Path(policy_config).stem if policy_config else "baseline"  # no config: the pack's own levels
    if any(framework["profile"] != gate for framework in frameworks):
        lines.append(f"    note: the gate ran with {gate}; set aws-backups:evidence.profile to the profile the gate "
                     "uses, or AWS checks other figures than the gate")
    lines.append(f"    prerequisite: {AWS_CONFIG_PREREQUISITE}")
    return lines
