"""Haven's search side: data/ → validated catalog → SQLite index → engines. No HTTP here."""
