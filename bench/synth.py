"""Deterministic synthetic catalogs with the shape and vocabulary of the real directory.

Every synthetic resource starts from a real one (so kinds, topics, field lengths and the
Korean/English vocabulary match) and is varied with words drawn from the real text, a random
region and made-up phone numbers. Nothing here is ever shown to a user.
"""

from __future__ import annotations

import random

import msgspec

from search.catalog import Catalog
from search.model import Phone, Resource, Text

__all__ = ("synthetic_catalog",)


def _vocab(resources: list[Resource], lang: str) -> list[str]:
    words: list[str] = []
    for r in resources:
        words += r.name.get(lang).split() + r.summary.get(lang).split()
    return sorted(set(words))


def synthetic_catalog(real: Catalog, size: int, seed: int = 20261125) -> Catalog:
    """A catalog of ``size`` resources derived from ``real``, the same for the same seed."""
    rng = random.Random(seed)
    ko, en = _vocab(real.resources, "ko"), _vocab(real.resources, "en")
    codes = [g.code for g in real.regions]
    names = {g.code: g.name for g in real.regions}
    out = []
    for i in range(size):
        base = real.resources[i % len(real.resources)]
        region = rng.choice(codes)
        place = names[region]
        extra_ko = " ".join(rng.choices(ko, k=3))
        extra_en = " ".join(rng.choices(en, k=3))
        out.append(
            msgspec.structs.replace(
                base,
                id=f"{base.id}-{i}",
                name=Text(
                    ko=f"{place.ko} {base.name.ko} {rng.choice(ko)}",
                    en=f"{base.name.en} {place.en} {rng.choice(en)}",
                ),
                summary=Text(ko=f"{base.summary.ko} {extra_ko}", en=f"{base.summary.en} {extra_en}"),
                regions=[region],
                phones=[
                    Phone(number=f"0{rng.randint(31, 64)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}")
                ],
                see_also=[],
            )
        )
    return Catalog(resources=out, regions=real.regions, taxonomy=real.taxonomy, synonyms=real.synonyms,
                   kinds=real.kinds, data_hash=f"synthetic-{size}-{seed}")  # fmt: skip
