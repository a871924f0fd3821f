"""Sphinx extension: the Benchmarks page, generated from ``benchmarks/results/*.json``.

Every results file becomes a section: where it comes from (the command
that reproduces it, commit, date, CPU, cores and library versions, as
``benchmarks/provenance.py`` records them) and its figures as tables.  The
page is written when the build starts, so a figure on it changes only when
its results file is measured again.
"""

import json
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent
RESULTS = DOCS.parent / "benchmarks" / "results"
PAGE = DOCS / "benchmarks.md"
MAX_COLUMNS = 9


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return ""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _is_scalar(value):
    return value is None or isinstance(value, (str, int, float, bool))


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _from_checkout(command):
    """The command as run from a checkout's root: a scratch copy's path prefix dropped."""
    return re.sub(r"/\S*?/(?=benchmarks/)", "", command)


def _measured(record):
    versions = ", ".join(f"{name} {v}" for name, v in record.get("versions", {}).items())
    return (
        f"Measured {record.get('date')} at commit `{(record.get('commit') or '')[:10]}` on "
        f"{record.get('cpu')} ({record.get('cores')} cores); {versions}."
    )


def _provenance(data):
    if isinstance(data, list):
        # One run a row (a script run once per configuration): a command each.
        records = [row.get("provenance") for row in data if isinstance(row, dict)]
        if records and all(records):
            commands = [f"- `{_from_checkout(r.get('command') or '')}`" for r in records]
            return ["Reproduce, one command a row:", "", *commands, "", _measured(records[-1])]
        record = None
    else:
        record = data.get("provenance")
    if not record:
        return ["*Provenance not recorded: measured before results files recorded it.*"]
    return [
        f"Reproduce: `{_from_checkout(record.get('command') or '')}`",
        "",
        _measured(record),
    ]


def _section(path):
    data = json.loads(path.read_text())
    lines = [f"## {path.stem}", ""] + _provenance(data) + [""]
    if isinstance(data, list):
        data = {"rows": data}
    scalars = [(k, v) for k, v in data.items() if _is_scalar(v)]
    if scalars:
        lines += _table(["measure", "value"], scalars) + [""]
    for name, value in data.items():
        if isinstance(value, dict) and name != "provenance":
            nested = [(k, v) for k, v in value.items() if _is_scalar(v)]
            if nested:
                lines += [f"**{name}**", ""] + _table(["measure", "value"], nested) + [""]
        if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            columns = [k for k in value[0] if all(_is_scalar(r.get(k)) for r in value)]
            columns = columns[:MAX_COLUMNS]
            lines += [f"**{name}**", ""]
            lines += _table(columns, [[r.get(k) for k in columns] for r in value]) + [""]
    return lines


def write_page(app=None):
    lines = [
        "# Benchmarks",
        "",
        "Every table below is generated from a file in `benchmarks/results/` when the",
        "documentation is built; each says the command that measures it again. The",
        "user guide's pages quote these files.",
        "",
    ]
    for path in sorted(RESULTS.glob("*.json")):
        lines += _section(path)
    PAGE.write_text("\n".join(lines) + "\n")


def setup(app):
    app.connect("builder-inited", write_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
