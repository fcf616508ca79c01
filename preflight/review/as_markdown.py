"""A review as a pull-request comment: a one-line verdict, the tables, the raw resource diff folded away, and a
hidden marker by which a CI job finds its own comment to update instead of adding another."""

from __future__ import annotations

from preflight.review import wording
from preflight.review.comparison import Review


def marker(stack: str) -> str:
    return f"<!-- aws-backups-review:{stack} -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows)]


def render_markdown(review: Review) -> str:
    lines = [marker(review.stack)]
    if review.nothing_changed:
        return "\n".join([*lines, wording.nothing_changed_line(review)]) + "\n"
    lines += [f"**{wording.verdict_line(review)}**", "",
              f"Review of `{review.base_label}` -> `{review.head_label}` (`python -m preflight review`)."]
    kinds = list(wording.change_kind_lines(review))
    if kinds:
        lines += ["", "**Changes a reviewer may refuse**", ""] + [f"- {line}" for line in kinds]

    findings = [["new", f.level, f"`{f.policy}`", f.resource, f.message.splitlines()[-1]] for f in review.findings_new]
    findings += [["fixed", f.level, f"`{f.policy}`", f.resource, f.message.splitlines()[-1]]
                 for f in review.findings_fixed]
    lines += ["", f"#### Policy findings: {len(review.findings_new)} new, {len(review.findings_fixed)} fixed, "
                  f"{len(review.findings_unchanged)} unchanged"]
    if findings:
        lines += ["", *_table(["", "level", "policy", "resource", "message"], findings)]

    for title, changes in wording.posture_sections(review):
        rows = [[change.key[1], change.key[2], wording.row_value(change.before), wording.row_value(change.after)]
                for change in changes]
        lines += ["", f"#### {title}", "", *_table(["subject", "aspect", "before", "after"], rows)]

    lines += ["", f"#### Resource changes as the engine would plan them: {wording.step_counts(review.steps)}"]
    if review.steps:
        rows = [[wording.step_line(step), "<br>".join(step.refusals) or ""] for step in review.steps]
        lines += ["", *_table(["step", "refused by the engine or AWS"], rows)]

    if review.existing_points:
        lines += ["", f"#### {wording.EXISTING_POINTS}", "", *(f"- {n}" for n in review.existing_points)]

    unavailable = wording.cost_unavailable(review)
    costs = [list(row) for row in wording.cost_lines(review)]
    if unavailable or costs:
        lines += ["", "#### Monthly cost (the retention report's model and prices)", ""]
        lines += [unavailable] if unavailable else _table(["plan", "before", "after", "change"], costs)

    if review.steps:
        lines += ["", "<details><summary>Raw resource diff</summary>", "", "```diff"]
        for step in review.steps:
            lines.append(wording.step_line(step))
            lines += list(wording.raw_diff(step))
        lines += ["```", "", "</details>"]
    return "\n".join(lines) + "\n"
