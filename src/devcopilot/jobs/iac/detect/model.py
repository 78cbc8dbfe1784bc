"""What ``iac detect`` concludes about a repository: each fact with the ``file:line`` it rests on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["server", "static", "worker"]


class Fact(BaseModel):
    value: str
    evidence: str
    """``path:line`` (or ``path``) of what it was read from, relative to the repository."""


class Runtime(BaseModel):
    name: str
    """``python``, ``node``, ``bun``, ``deno``, ``go``, ``ruby``, ``java``, ``rust``, ``php``, ..."""
    version: str | None = None
    evidence: str


class App(BaseModel):
    """One deployable app: the repository, or one package of a monorepo."""

    name: str
    path: str
    """Its folder, relative to the repository (``.`` for the root)."""
    ecosystem: str
    runtimes: list[Runtime] = Field(default_factory=list)
    package_manager: Fact | None = None
    lock_file: Fact | None = None
    framework: Fact | None = None
    install: Fact | None = None
    build: Fact | None = None
    start: Fact | None = None
    entry: Fact | None = None
    """What the start command runs: a script, a module, an npm script or a binary."""
    port: Fact | None = None
    kind: Kind = "server"
    output_dir: Fact | None = None
    """Where a static site's build puts its files."""
    apt_packages: list[Fact] = Field(default_factory=list)
    """System packages the dependencies need at build and run time."""
    services: list[Fact] = Field(default_factory=list)
    """Backing services the code uses: postgres, mysql, redis, mongodb, rabbitmq, kafka..."""


class Detection(BaseModel):
    root: str
    apps: list[App]
    notes: list[str] = Field(default_factory=list)
