"""Putting drift right, either way: ``--patch`` brings live back to the manifests, ``--adopt`` the reverse.

``--patch FILE.json`` writes one RFC 6902 JSON patch per object, guarded by
``test`` operations on the values it expects to replace and on the names of
the list entries it addresses, so it fails instead of overwriting a newer
change; each patch is applied to the live object here and compared again
before it is written. ``--patch FILE.yaml`` writes the declared manifests of
what drifted or is missing, for ``kubectl apply``. ``--adopt FILE`` writes a
unified diff of the manifests (comments kept, with ruamel.yaml) that records
the live values, for when live was right. Secret values are never copied
from the cluster into either.
"""

from __future__ import annotations

import copy
import difflib
import io
import itertools
import json
from collections import Counter
from pathlib import Path as FilePath
from typing import Any

import yaml

from devcopilot.core.errors import InputError
from devcopilot.jobs.iac.drift import paths
from devcopilot.jobs.iac.drift.compare import Difference
from devcopilot.jobs.iac.drift.engine import (
    ObjectDrift,
    Options,
    Outcome,
    compare_object,
    secret_key_paths,
)
from devcopilot.jobs.iac.drift.lines import shown_path
from devcopilot.jobs.iac.drift.paths import Item

Op = dict[str, Any]


def patch_ops(drift: ObjectDrift) -> list[Op]:
    if drift.live is None or drift.declared is None:
        return []
    live = drift.live
    guards: list[Op] = []
    edits: list[Op] = []
    removals: list[tuple[list[int | str], Op]] = []
    added_at: set[str] = set()
    for difference in drift.differences:
        hidden = secret_key_paths(drift.ref.kind, difference.path)
        if difference.change == "removed":
            where, value, prefix = _insertion(difference.path, live, drift.declared.obj)
            if where not in added_at:
                added_at.add(where)
                guards += _item_guards(prefix, live)
                edits.append({"op": "add", "path": where, "value": value})
            continue
        pointer = paths.pointer(difference.path, live)
        if pointer is None:
            continue
        guards += _item_guards(difference.path, live)
        if not hidden:
            guards.append({"op": "test", "path": pointer, "value": paths.get(live, difference.path)[1]})
        if difference.change == "changed":
            edits.append({"op": "replace", "path": pointer, "value": difference.desired})
        else:
            removals.append((_sort_key(pointer), {"op": "remove", "path": pointer}))
    unique_guards = list({json.dumps(g, sort_keys=True): g for g in guards}.values())
    return unique_guards + edits + [op for _, op in sorted(removals, key=lambda r: r[0], reverse=True)]


def _sort_key(pointer: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in pointer.split("/")[1:]]


def _insertion(
    path: paths.Path, live: dict[str, Any], declared: dict[str, Any]
) -> tuple[str, Any, paths.Path]:
    """Where to add a declared value live lacks: at its first missing step, with the whole subtree."""
    for depth in range(len(path), 0, -1):
        parent = paths.pointer(path[: depth - 1], live)
        if parent is None:
            continue
        step = path[depth - 1]
        found, value = paths.get(declared, path[:depth])
        if not found:
            continue
        if isinstance(step, Item):
            return parent + "/-", value, path[: depth - 1]
        return parent + "/" + paths.escape(step), value, path[: depth - 1]
    return "", declared, ()


def _item_guards(path: paths.Path, live: dict[str, Any]) -> list[Op]:
    """A test on the name of each list entry the path goes through: a reordered list fails the patch."""
    guards = []
    for depth, step in enumerate(path, 1):
        if isinstance(step, Item) and step.key:
            pointer = paths.pointer(path[:depth], live)
            field, value = step.key[0]
            found, entry = paths.get(live, path[:depth])
            if pointer is not None and found and isinstance(entry, dict) and field in entry:
                guards.append({"op": "test", "path": f"{pointer}/{paths.escape(field)}", "value": value})
    return guards


def _verified(drift: ObjectDrift, ops: list[Op], outcome: Outcome, options: Options) -> bool:
    """Whether applying the patch to the live object leaves nothing to report, judged as the run judged."""
    import jsonpatch

    if drift.live is None or drift.declared is None:
        return False
    try:
        patched = jsonpatch.apply_patch(copy.deepcopy(drift.live), ops)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException):
        return False
    again = compare_object(
        drift.ref, drift.declared, patched, autoscaled=outcome.autoscaled, options=options, left_out=Counter()
    )
    return not again.differences


def write_patch(outcome: Outcome, target: FilePath, options: Options | None = None) -> list[str]:
    options = options or Options()
    notes: list[str] = []
    drifted = [o for o in outcome.objects if o.status == "drifted"]
    missing = [o for o in outcome.objects if o.status == "missing"]
    undeclared = [o for o in outcome.objects if o.status == "undeclared"]
    if target.suffix in (".yaml", ".yml"):
        manifests = [o.declared.obj for o in drifted + missing if o.declared is not None]
        text = yaml.safe_dump_all(manifests, sort_keys=False)
        notes.append(
            f"patch: {len(manifests)} manifest(s) for kubectl apply in {target}"
            " (apply leaves fields others added live; the .json form removes them)"
        )
    elif target.suffix == ".json":
        entries: list[dict[str, Any]] = []
        for drift in drifted:
            ops = patch_ops(drift)
            if not _verified(drift, ops, outcome, options):
                notes.append(
                    f"patch: {drift.ref} left out: its patch did not bring live back to the manifest"
                )
                continue
            entries.append({"object": _identity(drift), "patch": ops})
        entries += [{"object": _identity(o), "create": o.declared.obj} for o in missing if o.declared]
        text = json.dumps(entries, indent=2) + "\n"
        notes.append(f"patch: {len(entries)} object(s) in {target}, each checked against its live object")
    else:
        raise InputError(f"--patch {target}: name a .json (JSON patches) or .yaml (manifests) file")
    if undeclared:
        notes.append(
            f"patch: {len(undeclared)} undeclared object(s) are not deleted; delete them if they should go"
        )
    _write(target, text)
    return notes


def _identity(drift: ObjectDrift) -> dict[str, str]:
    source = drift.live or (drift.declared.obj if drift.declared else {})
    return {
        "apiVersion": str(source.get("apiVersion", "")),
        "kind": drift.ref.kind,
        "namespace": drift.ref.namespace,
        "name": drift.ref.name,
    }


def _write(target: FilePath, text: str) -> None:
    try:
        target.write_text(text, "utf-8")
    except OSError as error:
        raise InputError(f"{target}: cannot be written ({error.strerror or error})") from None


def write_adoption(outcome: Outcome, target: FilePath, root: FilePath) -> list[str]:
    notes: list[str] = []
    by_file: dict[str, list[ObjectDrift]] = {}
    for drift in outcome.objects:
        if drift.status == "drifted" and drift.declared is not None:
            by_file.setdefault(drift.declared.file, []).append(drift)
    skipped = 0
    chunks: list[str] = []
    for file, drifts in sorted(by_file.items()):
        if file.endswith(".json"):
            notes.append(f"adopt: {file} is JSON and was left alone")
            continue
        original = FilePath(file).read_text("utf-8")
        updated, hidden = _adopted(original, drifts)
        skipped += hidden
        name = shown_path(root, file)
        for line in difflib.unified_diff(
            original.splitlines(keepends=True),
            updated.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        ):
            chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    if skipped:
        notes.append(f"adopt: {skipped} Secret value(s) not copied from the cluster into manifests")
    others = sum(1 for o in outcome.objects if o.status in ("missing", "undeclared"))
    if others:
        notes.append(
            f"adopt: {others} missing or undeclared object(s) are left for a person to add or remove"
        )
    _write(target, "".join(chunks))
    notes.append(f"adopt: a patch to the manifests in {target} (git apply {target})")
    return notes


def _adopted(original: str, drifts: list[ObjectDrift]) -> tuple[str, int]:
    """The file with each drifted document rewritten to hold the live values; the others byte for byte."""
    from ruamel.yaml import YAML

    nodes = list(yaml.compose_all(original, Loader=yaml.CSafeLoader))
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 4096
    if _indented_lists(original):
        handler.indent(mapping=2, sequence=4, offset=2)
    else:
        handler.indent(mapping=2, sequence=2, offset=0)
    hidden = 0
    edits: list[tuple[int, int, str]] = []
    for drift in drifts:
        if drift.declared is None or drift.declared.document >= len(nodes):
            continue
        node = nodes[drift.declared.document]
        start, end = node.start_mark.index, node.end_mark.index
        chunk = original[start:end]
        document = handler.load(chunk)
        if not isinstance(document, dict) or str(document.get("kind", "")).endswith("List"):
            continue  # objects inside a List document: left for a person, as the note on missing ones says
        for difference in drift.differences:
            if secret_key_paths(drift.ref.kind, difference.path):
                hidden += 1
                continue
            _record(document, difference)
        buffer = io.StringIO()
        handler.dump(document, buffer)
        edits.append((start, end, buffer.getvalue().rstrip("\n") + chunk[len(chunk.rstrip("\n")) :]))
    for start, end, text in sorted(edits, reverse=True):
        original = original[:start] + text + original[end:]
    return original, hidden


def _indented_lists(text: str) -> bool:
    """Whether the manifest indents list items under their key (``key:\n  - a``), as most Helm charts do."""
    lines = text.splitlines()
    for above, line in itertools.pairwise(lines):
        stripped = line.lstrip()
        if stripped.startswith("- ") and above.rstrip().endswith(":"):
            return len(line) - len(stripped) > len(above) - len(above.lstrip())
    return False


def _record(document: Any, difference: Difference) -> None:
    """Make the manifest say what live says at one path."""
    *parents, last = difference.path
    node = _parent(document, parents, last, create=difference.change != "removed")
    if node is None:
        return
    if difference.change == "removed":
        if isinstance(last, Item):
            position = paths.find_item(node, last)
            if position is not None:
                del node[position]
        elif isinstance(node, dict):
            node.pop(last, None)
    elif isinstance(last, Item):
        position = paths.find_item(node, last)
        if position is None:
            node.append(_as_written(difference.live))
        else:
            node[position] = _as_written(difference.live)
    else:
        node[last] = _as_written(difference.live)


def _as_written(value: Any) -> Any:
    """A live value as a manifest must spell it: text YAML 1.1 would read as something else is quoted."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        return {key: _as_written(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_as_written(child) for child in value]
    if isinstance(value, str) and yaml.safe_load(value) != value:
        return DoubleQuotedScalarString(value)
    return value


def _parent(document: Any, parents: list[Any], last: Any, *, create: bool) -> Any:
    """The node that holds the last step of a path, made on the way when ``create`` (None if absent)."""
    node = document
    for depth, step in enumerate(parents):
        found, child = _step(node, step)
        if not found:
            if not create:
                return None
            following = parents[depth + 1] if depth + 1 < len(parents) else last
            child = [] if isinstance(following, Item) else {}
            if isinstance(step, Item):
                node.append(child)
            else:
                node[step] = child
        node = child
    return node


def _step(node: Any, step: Any) -> tuple[bool, Any]:
    if isinstance(step, Item):
        position = paths.find_item(node, step) if isinstance(node, list) else None
        return (position is not None, node[position] if position is not None else None)
    if isinstance(node, dict) and step in node and node[step] is not None:
        return True, node[step]
    return False, None
