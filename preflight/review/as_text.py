"""A review for a terminal."""

from __future__ import annotations

from preflight.review import wording
from preflight.review.comparison import Review


def render_text(review: Review) -> str:
    if review.nothing_changed:
        return wording.nothing_changed_line(review) + "\n"
    lines = [f"Review of stack {review.stack}: {review.base_label} -> {review.head_label}",
             wording.verdict_line(review)]
    kinds = list(wording.change_kind_lines(review))
    if kinds:
        lines += ["", "Changes a reviewer may refuse:"] + [f"  {line}" for line in kinds]

    lines += ["", f"Policy findings: {len(review.findings_new)} new, {len(review.findings_fixed)} fixed, "
                  f"{len(review.findings_unchanged)} unchanged"]
    for label, findings in (("new", review.findings_new), ("fixed", review.findings_fixed)):
        for finding in findings:
            lines.append(f"  {label:<6}[{finding.level}] {finding.policy} ({finding.resource})")
            lines += [f"           {line}" for line in finding.message.splitlines()[1:2]]

    for title, changes in wording.posture_sections(review):
        lines += ["", f"{title} (before -> after):"]
        subject = None
        for change in changes:
            if change.key[1] != subject:
                subject = change.key[1]
                lines.append(f"  {subject}")
            before, after = wording.row_value(change.before), wording.row_value(change.after)
            lines.append(f"    {change.key[2]}: {before} -> {after}")

    lines += ["", f"Resource changes as the engine would plan them: {wording.step_counts(review.steps)}"]
    for step in review.steps:
        lines.append(f"  {wording.step_line(step)}")
        lines += [f"      ! {refusal}" for refusal in step.refusals]

    if review.existing_points:
        lines += ["", f"{wording.EXISTING_POINTS}:"] + [f"  - {note}" for note in review.existing_points]

    unavailable = wording.cost_unavailable(review)
    costs = list(wording.cost_lines(review))
    if unavailable or costs:
        lines += ["", "Monthly cost (the retention report's model and prices):"]
        lines += [f"  {unavailable}"] if unavailable else [
            f"  {plan}: {before} -> {after} ({change})" for plan, before, after, change in costs]
    return "\n".join(lines) + "\n"
