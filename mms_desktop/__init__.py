"""MMS Desktop: offline speech recognition, language identification and read-aloud on Meta's MMS models."""

__version__ = "0.1.0"
