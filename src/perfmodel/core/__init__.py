"""Foundations every layer uses: errors, periods, hashing, atomic files, settings, messages."""
