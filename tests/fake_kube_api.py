"""A Kubernetes API server on 127.0.0.1 that serves recorded objects, read-only, for kubectl's real client.

It answers discovery (legacy, which kubectl falls back to) and list requests
for the kinds of the objects it holds, records every request, and refuses any
verb but GET, so a test can show that ``iac drift --live kubectl`` only reads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

_PLURAL = {"Endpoints": "endpoints", "NetworkPolicy": "networkpolicies", "Ingress": "ingresses"}


def plural(kind: str) -> str:
    return _PLURAL.get(kind, kind.lower() + ("es" if kind.endswith("s") else "s"))


@dataclass
class Recorded:
    objects: list[dict[str, Any]]
    requests: list[tuple[str, str]] = field(default_factory=list)

    def groups(self) -> dict[str, list[dict[str, Any]]]:
        by_group: dict[str, list[dict[str, Any]]] = {}
        for obj in self.objects:
            by_group.setdefault(obj["apiVersion"], []).append(obj)
        return by_group


def _handler(recorded: Recorded) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            recorded.requests.append(("GET", self.path))
            groups = recorded.groups()
            if path == "/api":
                self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
            elif path == "/apis":
                named = sorted({v for v in groups if "/" in v})
                listed = [
                    {
                        "name": v.split("/")[0],
                        "versions": [{"groupVersion": v, "version": v.split("/")[1]}],
                        "preferredVersion": {"groupVersion": v, "version": v.split("/")[1]},
                    }
                    for v in named
                ]
                self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": listed})
            elif path in ("/api/v1", *(f"/apis/{v}" for v in groups)):
                version = "v1" if path == "/api/v1" else path[len("/apis/") :]
                kinds = sorted({o["kind"] for o in groups.get(version, [])})
                resources = [
                    {
                        "name": plural(k),
                        "singularName": k.lower(),
                        "namespaced": True,
                        "kind": k,
                        "verbs": ["get", "list"],
                    }
                    for k in kinds
                ]
                self._send(200, {"kind": "APIResourceList", "groupVersion": version, "resources": resources})
            else:
                self._list(path, groups)

        def _list(self, path: str, groups: dict[str, list[dict[str, Any]]]) -> None:
            parts = path.strip("/").split("/")
            version = "v1" if parts[0] == "api" else "/".join(parts[1:3])
            rest = parts[2:] if parts[0] == "api" else parts[3:]
            namespace = rest[1] if len(rest) >= 3 and rest[0] == "namespaces" else None
            resource = rest[-1] if rest else ""
            items = [
                o
                for o in groups.get(version, [])
                if plural(o["kind"]) == resource and namespace in (None, o["metadata"].get("namespace"))
            ]
            if not items and not any(plural(o["kind"]) == resource for o in groups.get(version, [])):
                self._send(404, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404})
                return
            kind = items[0]["kind"] if items else "Unknown"
            self._send(200, {"kind": f"{kind}List", "apiVersion": version, "metadata": {}, "items": items})

        def _refuse(self) -> None:
            recorded.requests.append((self.command, self.path))
            self._send(
                405, {"kind": "Status", "status": "Failure", "reason": "MethodNotAllowed", "code": 405}
            )

        do_POST = do_PUT = do_PATCH = do_DELETE = _refuse  # noqa: N815 (http.server names handlers so)

    return Handler


@contextmanager
def serve(objects: list[dict[str, Any]], kubeconfig: Path) -> Iterator[Recorded]:
    """Serve ``objects`` and write a kubeconfig (context ``fake``) that points kubectl at them."""
    recorded = Recorded(objects)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorded))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": "fake", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}
                ],
                "users": [{"name": "fake", "user": {"token": "not-a-real-token"}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
                "current-context": "fake",
            }
        )
    )
    try:
        yield recorded
    finally:
        server.shutdown()
        server.server_close()
