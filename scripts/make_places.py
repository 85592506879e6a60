"""Write data/places.tsv: every 시·군·구 and 읍·면·동 name, with the region it lies in.

The names are the Ministry of the Interior and Safety's legal-dong code list (법정동코드), as
packaged in ``dongnae-kr`` (its CSV of 21,702 current codes and names). Run by a maintainer when
the list changes, in any environment where the package is installed:

    pip install dongnae-kr==2025.11.30 && python scripts/make_places.py

Only names and region codes are kept (facts of the official list), not coordinates. Villages
(리) are left out: thousands of them share names across provinces and people rarely search by
them. Towns the list does not name (new towns such as 동탄, 일산) are in data/places.yaml.
"""

from __future__ import annotations

import csv
import sys
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Province names as the list writes them (old ones too, for codes kept from before a renaming).
PROVINCE_ALIASES = {"강원도": "강원특별자치도", "전라북도": "전북특별자치도"}


def main() -> int:
    regions = yaml.safe_load((ROOT / "data" / "regions.yaml").read_text(encoding="utf-8"))["regions"]
    code_of = {r["name"]["ko"]: r["code"] for r in regions}
    csv_path = next(p for p in files("dongnae_kr").joinpath("data").iterdir() if p.name.endswith(".csv"))
    rows: dict[tuple[str, str, str], None] = {}
    with csv_path.open(encoding="utf-8-sig") as fh:
        for rec in csv.DictReader(fh):
            parts = rec["dnname"].split()
            province = PROVINCE_ALIASES.get(parts[0], parts[0])
            code = code_of.get(province)
            if code is None:
                print(f"unknown province {parts[0]!r}", file=sys.stderr)
                return 1
            if len(parts) == 1:
                continue
            # 세종특별자치시 has no 시·군·구 level: its towns follow the province directly.
            rest = parts[1:]
            if rest[-1].endswith("리") and len(rest) > 1:
                continue  # a village
            district = [p for p in rest if p[-1] in "시군구"]
            town = [p for p in rest if p[-1] not in "시군구"]
            # "고양시 일산동구": the city and its district are each a place a person may name.
            for i, name in enumerate(district):
                rows[(name, code, "district:" + " ".join(district[:i]))] = None
            if town:
                rows[(town[-1], code, "town:" + " ".join(district))] = None
    out = ROOT / "data" / "places.tsv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# Places in Korea: every 시·군·구 (district) and 읍·면·동 (town) with its region code.\n"
            "# Source: the legal-dong code list (법정동코드) of the Ministry of the Interior and Safety, as\n"
            f"# packaged in dongnae-kr {version('dongnae-kr')} (PyPI; the data file is dated 2025-11-30).\n"
            "# The package states no licence of its own; the names are facts of a public official list.\n"
            "# Made by scripts/make_places.py; do not edit by hand (add towns to data/places.yaml).\n"
            "# name\tregion\tlevel: district:<the city it is in, if any>, or town:<its district>\n"
        )
        for name, code, level in sorted(rows, key=lambda r: (r[1], r[2], r[0])):
            fh.write(f"{name}\t{code}\t{level}\n")
    print(f"{out}: {len(rows)} places", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
