"""Sharing a resource: the referral text, an ``sms:`` link that carries it, and a QR code.

The referral is the one ``haven referral`` prints (:mod:`service.referral`), so a counsellor gets
the same words on the phone and on the site. The QR code is an inline SVG drawn here from the
modules zxing-cpp encodes: no image request, no third-party service that would learn which page
was shared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import quote

import zxingcpp
from litestar import Request
from markupsafe import Markup, escape

from search.model import Resource
from service.i18n import Lang
from service.referral import Format, ReferralTooLong, referral

__all__ = ("public_base", "qr_svg", "referral_text", "sms_href")

#: The quiet zone around a QR code, in modules: two are enough on a white background.
_QUIET = 2
_DARK_RUN = re.compile(rb"\x00+")


def public_base(request: Request) -> str:
    """The site's public address: ``HAVEN_PUBLIC_URL`` when set, else the request's own."""
    settings = request.app.state.settings
    return str(settings.public_url or request.base_url).rstrip("/")


def referral_text(
    resources: Sequence[Resource], lang: str, fmt: Format = "text", *,
    fallback: Resource | None = None, page_url: Callable[[Resource], str] | None = None,
) -> str:  # fmt: skip
    """The referral for ``resources``; names and numbers only if even that is too long.

    ``fallback`` and ``page_url`` give every entry a number and a link (:func:`referral`).
    """
    language: Lang = "en" if lang == "en" else "ko"
    try:
        return referral(resources, language, fmt, fallback=fallback, page_url=page_url)
    except ReferralTooLong:
        # Only reachable with many ids on /card: fall back to one name and number per line.
        spare = fallback.phones[0].number if fallback and fallback.phones else ""
        return "\n".join(
            f"{r.name.get(language)} {r.phones[0].number if r.phones else spare}".strip() for r in resources
        )


def sms_href(text: str) -> str:
    """An ``sms:`` link that opens the messaging app with ``text`` typed in and no recipient.

    ``sms:?&body=`` is the form both Android and iOS accept (iOS ignores ``?body=`` without ``&``).
    """
    return "sms:?&body=" + quote(text, safe="")


def qr_svg(url: str, label: str, css_class: str = "qr") -> Markup:
    """``url`` as an inline SVG QR code (error correction M), labelled for screen readers.

    No width or height: the size comes from the stylesheet, so the same code prints at poster,
    A4 or wallet size. A quiet zone of two modules is enough on a white background.

    Made anew for every page, never kept: a kept code would answer faster for a page someone
    opened before, and tell a stranger which pages were opened since the server started.
    """
    # zxing-cpp (its writer is zint, in C) chooses the mask as the standard says, scoring all
    # eight: 0.5 ms a code, where segno took 7-8 ms in Python, most of a resource page's time.
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    # An Image has the buffer protocol, which zxing-cpp's type stubs do not declare.
    modules = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    size = modules.shape[0] if modules.shape else 0
    dark = modules.tobytes()  # one byte a module, row by row: 0 dark, 255 light
    # Each row's dark runs as one horizontal line through the middle of the modules.
    runs = [
        f"M{run.start() - y * size + _QUIET} {y + _QUIET}.5h{run.end() - run.start()}"
        for y in range(size)
        for run in _DARK_RUN.finditer(dark, y * size, (y + 1) * size)
    ]
    side = size + 2 * _QUIET
    return Markup(
        f'<svg role="img" aria-label="{escape(label)}" class="{escape(css_class)}" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}">'
        f'<path fill="none" stroke="#000" d="{"".join(runs)}"/></svg>'
    )
