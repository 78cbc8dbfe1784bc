"""Tables and headings written as the document's own syntax (Markdown pipes, reStructuredText list-tables)."""

from __future__ import annotations


def table(header: list[str], rows: list[list[str]], style: str) -> str:
    if style == "rst":
        lines = [".. list-table::", "   :header-rows: 1", ""]
        for row in [header, *rows]:
            lines.append(f"   * - {_rst_cell(row[0])}")
            lines += [f"     - {_rst_cell(cell)}" for cell in row[1:]]
        return "\n".join(lines)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def code(text: str, style: str) -> str:
    """Inline code."""
    return f"``{text}``" if style == "rst" else f"`{text}`"


def heading(text: str, style: str, level: int = 3) -> str:
    if style == "rst":
        return f"{text}\n{'~' * len(text)}"
    return f"{'#' * level} {text}"


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or " "


def _rst_cell(text: str) -> str:
    return " ".join(text.split()) or " "
