"""Builders shared by the credential tests: registries in a temporary CSV, policy params."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
FIXTURE_CSV = ROOT / "fixtures" / "registry" / "certificates.csv"
FIXTURE_TEMPLATE = "http://registry.example/certificates/{certificate_id}.json"

FOCP = "FinOps Certified Practitioner"
PRO = "FinOps Certified Professional"
FOCUS = "FOCUS Analyst"
TTT = "FinOps Certified Practitioner Train-the-Trainer"


def policy_params(relpath: str, requirement_id: str) -> dict[str, Any]:
    """The params of one requirement of a bundled policy, as written in the file."""
    data = yaml.safe_load((POLICIES / relpath).read_text())
    for req in data["requirements"]:
        if req["id"] == requirement_id:
            return dict(req.get("params") or {})
    raise KeyError(f"{relpath} has no requirement {requirement_id}")


def cert(cid: str, name: str, certification: str = FOCP, expires: str = "") -> dict[str, str]:
    """One registry row, issued 2023-01-01."""
    return {
        "certificate_id": cid,
        "name": name,
        "certification": certification,
        "issued": "2023-01-01",
        "expires": expires,
    }


def people(n: int, certification: str = FOCP, prefix: str = "P") -> list[dict[str, str]]:
    """``n`` distinct valid certificates of one certification."""
    tag = certification.split()[-1][:4].upper()  # PRAC, PROF, ANAL
    return [cert(f"{prefix}-{tag}-{i}", f"Holder {tag} {i:03d}", certification) for i in range(n)]


def write_registry(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` as a registry CSV export; returns the path."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["certificate_id", "name", "certification", "issued", "expires"]
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def submitted(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The submission's list for registry rows: each holder's name and certificate id."""
    return [{"name": r["name"], "certificate_id": r["certificate_id"]} for r in rows]
