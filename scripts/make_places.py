"""Write data/places.tsv: every 시·군·구 and 읍·면·동, its region, legal-dong code and centre.

Source: ``dongnae-kr`` on PyPI (version pinned below), the Korean data set of the ``dongnae``
geocoding engine. Its CSV holds the Ministry of the Interior and Safety's legal-dong code list
(법정동코드): 21,701 rows, each a code with its full name, the latitude and longitude of the
area's centre and a radius (km, not used here). It is the one PyPI package we
found that ships the list *with* coordinates and no download at run time; it is kept in step
with the ministry's list (the data file is dated 2025-11-30). ``dongnae`` (the engine) is MIT;
``dongnae-kr`` states no licence of its own. What we keep are facts of the public official list
(names, codes) and centre points rounded to 4 decimals (about 10 m), nothing of its code.

Run by a maintainer when the list changes, in any environment where the package is installed:

    pip install dongnae-kr==2025.11.30 && python scripts/make_places.py

What is written, one row a place:

* a 시·군·구 (district): its 10-digit code (the 5-digit 시군구 part followed by 00000) and its
  centre, the mean of the centres of its 읍·면·동, each counting once. Towns are small where
  people live close together, so this centre leans to where most people are (제주시's falls in
  the city, not in the sea towards 추자도 as an area-weighted one would; the list's radii are
  extents, not areas, for scattered islands). A city divided into 구 (포항시) gets the code its
  구 share (4711x -> 4711000000) and the mean of all their towns.
* a 읍·면·동 (town): its own code and centre from the list.

Villages (리; a code not ending in 00) are left out: thousands of them share names across provinces and people rarely
search by them. The list also repeats Jeonbuk's villages under the pre-2024 code 45 (전라북도);
only current codes are read for codes and centres (every town row has one). Towns the list does
not name (new towns such as 동탄, 일산) are in data/places.yaml.
"""

from __future__ import annotations

import csv
import re
import sys
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "dongnae-kr"
PINNED = "2025.11.30"
# Province names as the list writes them (old ones too, for codes kept from before a renaming).
PROVINCE_ALIASES = {"강원도": "강원특별자치도", "전라북도": "전북특별자치도"}
_CITY_GU = re.compile(r"^(.+시)(.+구)$")


def _split(word: str) -> list[str]:
    m = _CITY_GU.match(word)
    return [m.group(1), m.group(2)] if m else [word]


class _Sum:
    """A running mean of town centres, and the district codes they give."""

    def __init__(self) -> None:
        self.n = 0
        self.lat = self.lng = 0.0
        self.codes: set[str] = set()

    def add(self, lat: float, lng: float, code: str) -> None:
        self.n += 1
        self.lat += lat
        self.lng += lng
        self.codes.add(code)

    def centre(self) -> tuple[float, float]:
        return self.lat / self.n, self.lng / self.n


def main() -> int:
    if version(PACKAGE) != PINNED:
        print(
            f"{PACKAGE} {version(PACKAGE)} is installed; this script was written for {PINNED}",
            file=sys.stderr,
        )
    regions = yaml.safe_load((ROOT / "data" / "regions.yaml").read_text(encoding="utf-8"))["regions"]
    code_of = {r["name"]["ko"]: r["code"] for r in regions}
    csv_path = next(p for p in files("dongnae_kr").joinpath("data").iterdir() if p.name.endswith(".csv"))
    # (name, region, level) -> (code, lat, lng); districts are filled in after every town is read.
    rows: dict[tuple[str, str, str], tuple[str, float, float] | None] = {}
    districts: dict[tuple[str, str, str], _Sum] = {}
    with csv_path.open(encoding="utf-8-sig") as fh:
        for rec in csv.DictReader(fh):
            parts = rec["dnname"].split()
            province = PROVINCE_ALIASES.get(parts[0], parts[0])
            region = code_of.get(province)
            if region is None:
                print(f"unknown province {parts[0]!r}", file=sys.stderr)
                return 1
            if len(parts) == 1:
                continue
            # 세종특별자치시 has no 시·군·구 level: the list writes its towns under "세종시".
            # The list writes a few towns' city and 구 as one word ("청주시흥덕구 오송읍"): two.
            rest = [w for p in parts[1:] for w in _split(p)]
            code = rec["dnid"]
            if len(code) != 10 or not code.isdigit():
                print(f"unexpected code {code!r} for {rec['dnname']!r}", file=sys.stderr)
                return 1
            if code[8:] != "00":
                continue  # a village (리): its code's last two digits number it within its town
            district = [p for p in rest if p[-1] in "시군구"]
            town = [p for p in rest if p[-1] not in "시군구"]
            lat, lng = float(rec["dnlatitude"]), float(rec["dnlongitude"])
            # "고양시 일산동구": the city and its district are each a place a person may name.
            for i, name in enumerate(district):
                key = (name, region, "district:" + " ".join(district[:i]))
                rows.setdefault(key, None)
                # The city's code is its 구's with the last digit 0 (41285 -> 41280); a 구's or a
                # city's without 구 is the town's first five digits.
                own = code[:5] if i == len(district) - 1 else code[:4] + "0"
                districts.setdefault(key, _Sum()).add(lat, lng, own + "00000")
            if town:
                rows[(town[-1], region, "town:" + " ".join(district))] = (code, lat, lng)
    for key, total in districts.items():
        if len(total.codes) != 1:
            print(f"{key[0]} ({key[1]}) has several codes: {sorted(total.codes)}", file=sys.stderr)
            return 1
        rows[key] = (next(iter(total.codes)), *total.centre())
    out = ROOT / "data" / "places.tsv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# Places in Korea: every 시·군·구 (district) and 읍·면·동 (town) with its region code,\n"
            "# legal-dong code (법정동코드) and centre (WGS84 latitude, longitude).\n"
            "# Source: the legal-dong code list of the Ministry of the Interior and Safety, with each\n"
            f"# town's centre, as packaged in {PACKAGE} {version(PACKAGE)} (PyPI; the data file is dated\n"
            "# 2025-11-30). A district's centre is the mean of its towns' centres (see the script).\n"
            "# dongnae-kr states no licence of its own (its engine, dongnae, is MIT); names and codes are\n"
            "# facts of a public official list, centres are rounded to about 10 m.\n"
            "# Made by scripts/make_places.py; do not edit by hand (add towns to data/places.yaml).\n"
            "# name\tregion\tlevel: district:<the city it is in, if any>, or town:<its district>\tcode\tlat\tlng\n"
        )
        for (name, region, level), info in sorted(rows.items(), key=lambda r: (r[0][1], r[0][2], r[0][0])):
            assert info is not None
            code, lat, lng = info
            fh.write(f"{name}\t{region}\t{level}\t{code}\t{lat:.4f}\t{lng:.4f}\n")
    print(f"{out}: {len(rows)} places", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
