"""What AWS Backup Audit Manager will check after deploy: the controls of the stack's frameworks as the program
registered them (compliance.audit_controls maps the profile's figures to them), whether that profile is the one
the gate ran with, and the reports it delivers (where, and how long S3 keeps them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compliance.audit_controls import left_out
from compliance.resources import BUCKET_LIFECYCLE, BUCKET_OBJECT_LOCK, FRAMEWORK, REPORT_PLAN

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


def _kept(bucket: str, resources: list[RecordedResource]) -> str:
    """How long S3 keeps what lands in `bucket`: its Object Lock default retention and lifecycle expiry."""
    said = []
    for r in resources:
        if r.properties.get("bucket") != bucket:
            continue
        if r.type == BUCKET_OBJECT_LOCK:
            retention = (r.properties.get("rule") or {}).get("defaultRetention") or {}
            said.append(f"Object Lock {retention.get('mode')} {_days(retention)}")
        elif r.type == BUCKET_LIFECYCLE:
            for rule in r.properties.get("rules") or []:
                expiry = (rule.get("expiration") or {}).get("days")
                later = (rule.get("noncurrentVersionExpiration") or {}).get("noncurrentDays")
                if expiry:
                    said.append(f"expired after {expiry:g} days" + (f", old versions {later:g} days after" if later
                                                                    else ""))
    return ", ".join(said) or "kept until deleted"


def _days(retention: dict[str, Any]) -> str:
    return f"{retention['days']:g} days" if retention.get("days") else f"{retention.get('years', 0):g} years"


def audit_reports(resources: list[RecordedResource]) -> list[dict[str, Any]]:
    """One entry per report bucket: {bucket, region, templates: [..], formats: [..], kept}."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for r in resources:
        if r.type != REPORT_PLAN:
            continue
        channel = r.properties.get("reportDeliveryChannel") or {}
        bucket, region = channel.get("s3BucketName"), r.properties.get("region")
        entry = found.setdefault((bucket, region), {"bucket": bucket, "region": region, "templates": [],
                                                    "formats": channel.get("formats") or ["CSV"],
                                                    "kept": _kept(bucket, resources)})
        entry["templates"].append((r.properties.get("reportSetting") or {}).get("reportTemplate"))
    return list(found.values())


def render_report_lines(reports: list[dict[str, Any]]) -> list[str]:
    lines = ["", "Audit reports (AWS Backup Audit Manager, daily):"]
    lines += [f"    {', '.join(r['templates'])} of {r['region']} as {'/'.join(r['formats'])} to S3 bucket {r['bucket']}"
              f" ({r['kept']})" for r in reports]
    return lines
