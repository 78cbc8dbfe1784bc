"""The locked install the suite runs on agrees with what the package declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "dev.lock"
COMPROMISED = {"litellm": {Version("1.82.7"), Version("1.82.8")}}


def locked_versions() -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", LOCK.read_text(encoding="utf-8"), re.MULTILINE)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    found = [Requirement(text) for text in project["dependencies"]]
    for name in ("test", "bench", "dev"):
        found += [Requirement(text) for text in extras[name] if not text.startswith("devcopilot")]
    return found


def test_every_declared_dependency_is_locked_within_its_bounds() -> None:
    locked = locked_versions()

    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in {LOCK.name}: regenerate the lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{LOCK.name} pins {name}=={locked[name]}, outside {requirement}"
        )


def test_the_lock_pins_every_package_by_hash_and_never_a_compromised_release() -> None:
    entries = re.split(r"^(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8"), flags=re.MULTILINE)
    locked = locked_versions()

    pinned = [entry for entry in entries if "==" in entry.split("\\", 1)[0]]
    assert len(pinned) == len(locked)
    assert all("--hash=sha256:" in entry for entry in pinned)
    for name, bad in COMPROMISED.items():
        assert locked[name] not in bad
