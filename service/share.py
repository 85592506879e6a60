"""Sharing a resource: the referral text, an ``sms:`` link that carries it, and a QR code.

The referral is the one ``haven referral`` prints (:mod:`service.referral`), so a counsellor gets
the same words on the phone and on the site. The QR code is an inline SVG made here with segno:
no image request, no third-party service that would learn which page was shared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote

import segno
from litestar import Request
from markupsafe import Markup, escape

from search.model import Resource
from service.i18n import Lang
from service.referral import Format, ReferralTooLong, referral

__all__ = ("public_base", "qr_svg", "referral_text", "sms_href")


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
    code = segno.make_qr(url, error="m")
    svg = code.svg_inline(omitsize=True, border=2, svgclass=css_class)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
