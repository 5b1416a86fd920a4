"""Ringkas: abstractive Indonesian news summaries (mT5) with English translation (NLLB-200)."""

__version__ = "0.1.0"
