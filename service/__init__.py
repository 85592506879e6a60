"""Haven's web face and command line: Litestar app, pages, JSON API and the `haven` command."""
