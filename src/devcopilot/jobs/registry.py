"""The one table of jobs, by import strings: importing it loads no job.

Adding a job: a folder under ``jobs/``, a CLI module with ``register(app)``, its
prompts under ``prompts/<job>/``, and one ``JobSpec`` line below. The core
needs no change.
"""

from devcopilot.core.jobs import JobSpec, JobTable

JOBS = JobTable(
    (
        JobSpec(
            "review",
            cli="devcopilot.cli.review_cmd:register",
            settings="devcopilot.jobs.review.settings:ReviewSettings",
            settings_at_base=True,
            results=(("review", "devcopilot.jobs.review.findings:ReviewResult"),),
        ),
        JobSpec(
            "tests",
            cli="devcopilot.cli.tests_cmd:register",
            results=(
                ("generate", "devcopilot.jobs.testgen.report:TestsRun"),
                ("gaps", "devcopilot.jobs.testgen.report:GapsReport"),
            ),
        ),
        JobSpec(
            "incident",
            cli="devcopilot.cli.incident_cmd:register",
            settings="devcopilot.jobs.incident.settings:IncidentSettings",
            results=(
                ("explain", "devcopilot.jobs.incident.report:IncidentReport"),
                ("templates", "devcopilot.jobs.incident.report:TemplatesResult"),
                ("list", "devcopilot.jobs.incident.report:IncidentList"),
                ("formats", "devcopilot.jobs.incident.report:FormatsResult"),
            ),
        ),
        JobSpec(
            "iac",
            cli="devcopilot.cli.iac_cmd:register",
            results=(
                ("detect", "devcopilot.jobs.iac.report:DetectResult"),
                ("generate", "devcopilot.jobs.iac.report:GenerateResult"),
                ("check", "devcopilot.jobs.iac.report:CheckResult"),
                ("drift", "devcopilot.jobs.iac.drift.report:DriftResult"),
            ),
        ),
        JobSpec(
            "docs",
            cli="devcopilot.cli.docs_cmd:register",
            results=(
                ("check", "devcopilot.jobs.docs.report:DocsCheckResult"),
                ("refresh", "devcopilot.jobs.docs.refresh.report:RefreshResult"),
            ),
        ),
    ),
)

__all__ = ["JOBS"]
