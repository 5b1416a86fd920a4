"""Text helpers: normalisation and sentence splitting. Pure functions, no models."""

from api.text.normalize import normalize_text
from api.text.sentences import split_sentences

__all__ = ["normalize_text", "split_sentences"]
