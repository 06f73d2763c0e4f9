"""Rewrites the figures table in docs/performance.md between its markers."""

from __future__ import annotations

from pathlib import Path

from benchmarks.stats import Figure

BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


def write_table(figures: list[Figure], path: Path) -> None:
    rows = ["| figure | median | p95 | spread | n | goal | met | command |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "**no**")
        rows.append(f"| `{f.name}` | {f.median:.3f} {f.unit} | {f.p95:.3f} | {f.spread:.2f} | {f.n} | "
                    f"{f.goal} | {met} | `{f.command}` |")
    table = "\n".join(rows)
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")
