"""The data dictionary (docs/data-dictionary.md), rendered from the Table Schemas.

`etl dictionary` rewrites the file; a test fails when it is stale against schemas/.
"""

from __future__ import annotations

from etl.config import PROJECT_ROOT, settings
from etl.schema import load_schema

DICTIONARY_PATH = PROJECT_ROOT / "docs" / "data-dictionary.md"


def constraint_text(field: dict) -> str:
    parts = []
    for name, value in field.get("constraints", {}).items():
        if value is True:
            parts.append(name)
        elif name == "enum":
            parts.append("one of " + ", ".join(f"`{v}`" for v in value))
        else:
            parts.append(f"{name} `{value}`")
    return "; ".join(parts)


def _resource_section(name: str) -> list[str]:
    schema = load_schema(name)
    lines = [f"## `{name}`: {schema.get('title', name)}", "", schema.get("description", ""), ""]
    lines += [f"Primary key: {', '.join(f'`{k}`' for k in schema.get('primaryKey', [])) or 'none'}."]
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        lines.append(f"Foreign key: `{', '.join(fk['fields'])}` → `{ref['resource']}.{', '.join(ref['fields'])}`.")
    lines += ["", "| field | type | constraints | description |", "|---|---|---|---|"]
    for f in schema["fields"]:
        description = f.get("description", "").replace("|", "\\|")
        constraints = constraint_text(f).replace("|", "\\|")
        lines.append(f"| `{f['name']}` | {f.get('type', 'string')} | {constraints} | {description} |")
    return lines + [""]


def render_dictionary() -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated from `schemas/` by `etl dictionary`; do not edit by hand.",
        "",
    ]
    for name in settings().resources:
        lines += _resource_section(name)
    return "\n".join(lines)


def write_dictionary() -> None:
    DICTIONARY_PATH.parent.mkdir(exist_ok=True)
    DICTIONARY_PATH.write_text(render_dictionary(), encoding="utf-8")
