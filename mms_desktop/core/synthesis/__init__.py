"""Text to speech with MMS-TTS voices, romanizing non-Latin text where a voice asks for it."""

from __future__ import annotations

from mms_desktop.core.synthesis.tts import Synthesizer, romanize, split_sentences

__all__ = ["Synthesizer", "romanize", "split_sentences"]
