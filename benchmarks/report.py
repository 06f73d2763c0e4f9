"""Rewrites the figures table in docs/performance.md between its markers.

A run replaces the rows of its own command and keeps the others: `make bench` and
`make bench-1m` each own their rows, so the table shows both.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.stats import Figure

BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"
HEADER = ["| figure | median | p95 | spread | n | goal | met | command |",
          "| --- | --- | --- | --- | --- | --- | --- | --- |"]


def _row(f: Figure) -> str:
    met = "" if f.met is None else ("yes" if f.met else "**no**")
    return (f"| `{f.name}` | {f.median:.3f} {f.unit} | {f.p95:.3f} | {f.spread:.2f} | {f.n} | "
            f"{f.goal} | {met} | `{f.command}` |")


def _command(row: str) -> str:
    return row.rstrip(" |").rsplit("|", 1)[-1].strip(" `")


def write_table(figures: list[Figure], path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    old, tail = rest.split(END, 1)
    ours = {f.command for f in figures}
    kept = [r for r in old.strip().splitlines() if r.startswith("| `") and _command(r) not in ours]
    table = "\n".join(HEADER + kept + [_row(f) for f in figures])
    path.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")
