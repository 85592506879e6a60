"""How well and how fast lingua places short queries, in each of its accuracy modes.

    python -m bench.language_bench

Short queries as migrants type them (Vietnamese with and without diacritics, Tagalog,
Indonesian, Russian, Mongolian, English) against the languages search/language.py asks lingua
about. Prints, per mode, the load time, how many were placed right and the time per query. The
choice recorded in search/language.py (low accuracy mode) comes from this table.
"""

from __future__ import annotations

import statistics
import time

QUERIES = [
    ("vi", "toi bi tong tien anh nong"), ("vi", "giup toi voi"), ("vi", "tôi bị đe dọa"),
    ("vi", "anh cua toi bi phat tan"), ("vi", "bi doa dang anh"), ("tl", "tulungan mo ako"),
    ("tl", "may nag post ng litrato ko"), ("tl", "kailangan ko ng tulong"), ("tl", "tulong"),
    ("id", "tolong saya foto saya disebar"), ("id", "saya butuh bantuan"), ("id", "foto pribadi saya tersebar"),
    ("en", "help me please"), ("en", "someone posted fake nudes of me"), ("en", "i need a lawyer"),
    ("ru", "помогите мне"), ("ru", "мои фото распространили"), ("mn", "тусламж хэрэгтэй байна"),
]  # fmt: skip


def main() -> None:
    from lingua import Language, LanguageDetectorBuilder

    names = {"ENGLISH": "en", "VIETNAMESE": "vi", "TAGALOG": "tl", "INDONESIAN": "id", "RUSSIAN": "ru",
             "MONGOLIAN": "mn"}  # fmt: skip
    langs = [getattr(Language, n) for n in names]
    print(f"{'mode':<6} {'load s':>7} {'right':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for mode in ("low", "high"):
        start = time.perf_counter()
        builder = LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models()
        detector = (builder.with_low_accuracy_mode() if mode == "low" else builder).build()
        load = time.perf_counter() - start
        right, times = 0, []
        for _ in range(20):
            for want, q in QUERIES:
                t = time.perf_counter()
                found = detector.detect_language_of(q)
                times.append((time.perf_counter() - t) * 1000)
                right += bool(found) and names.get(found.name) == want
        times.sort()
        p99 = times[int(len(times) * 0.99)]
        print(
            f"{mode:<6} {load:>7.2f} {right // 20:>3}/{len(QUERIES):<3} {statistics.median(times):>7.3f} {p99:>7.3f}"
        )


if __name__ == "__main__":
    main()
