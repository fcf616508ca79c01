"""The pull-request workflow runs the review as the README says and finds its comment by the review's own
marker."""

from __future__ import annotations

from pathlib import Path

import yaml

from preflight.review.as_markdown import marker

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "stack-review.yml"


def test_the_workflow_reviews_each_stack_and_updates_one_comment_per_stack():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["review"]
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
    assert "python -m preflight review" in steps["Review"]["run"]
    assert "--format md" in steps["Review"]["run"]
    assert steps["actions/checkout@v4"]["with"]["fetch-depth"] == 0
    script = steps["Post or update the comment"]["with"]["script"]
    # The script looks for the marker the Markdown starts with, for the job's stack.
    assert marker("STACK-NAME").replace("STACK-NAME", "${process.env.STACK}") in script
    assert "updateComment" in script and "createComment" in script
    assert {entry["stack"] for entry in job["strategy"]["matrix"]["include"]} == {"dev", "prod", "org", "backup"}
    assert "Pulumi.*.yaml" in workflow[True]["pull_request"]["paths"]  # YAML 1.1 reads `on` as true
