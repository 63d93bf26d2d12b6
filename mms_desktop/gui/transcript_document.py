"""The main window's transcript: the text in its view and the timed segments behind it, kept together
through dictation, file transcription, Clear and its Undo, and the draft kept on disk."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from mms_desktop.core.base import Segment, Transcript
from mms_desktop.core.formats import Draft
from mms_desktop.gui.transcript_view import TranscriptView


class TranscriptDocument(QObject):
    """The segments (with word timings, for export) of the text in ``view``, and their language."""

    def __init__(self, view: TranscriptView, parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.segments: list[Segment] = []
        self.language = ""
        self._offset = 0.0  # where the dictation in progress starts in the transcript's time
        self._cleared: tuple[str, list[Segment]] | None = None  # what Clear removed, until Undo restores it
        view.textChanged.connect(self._restore_cleared)

    @property
    def end(self) -> float:
        return self.segments[-1].end if self.segments else 0.0

    def start_dictation(self) -> None:
        """A new dictation's times start at zero: they follow what is already in the transcript."""
        self._offset = self.end

    def add_final(self, segment: Segment, language: str) -> None:
        """A dictated sentence, final (one with no text, a spoken command, only ends the live words)."""
        self.view.add_final(segment.text)
        if segment.text:
            self.segments.append(segment.shifted(self._offset))
            self.language = language

    def remove_last(self) -> None:
        """Take back the last dictated sentence ("scratch that"), when the text still ends with it; the live
        words of the utterance in progress (the command) go too."""
        self.view.add_final("")
        if self.segments and self.view.remove_last_final():
            self.segments.pop()

    def show_partial(self, transcript: Transcript) -> None:
        """The text found so far in a file being transcribed, as live text: the finished segments, then the
        last one (which may still change) in the tentative style; the file's transcript replaces it."""
        texts = [s.text for s in transcript.segments if s.text]
        if texts:
            self.view.show_partial(" ".join(texts[:-1]) + (" " if len(texts) > 1 else ""), texts[-1])

    def drop_partial(self) -> None:
        """Remove the live text of a transcription that was cancelled and not kept."""
        self.view.add_final("")

    def add_transcript(self, transcript: Transcript) -> None:
        """A transcribed file's text, after what is there (in place of its live text)."""
        offset = self.end
        for segment in transcript.segments:
            self.view.add_final(segment.text)
            self.segments.append(segment.shifted(offset))
        self.language = transcript.language

    def clear(self) -> None:
        text = self.view.toPlainText()
        self._cleared = (text, list(self.segments)) if text else None
        self.segments.clear()
        self.view.clear_all()

    @Slot()
    def _restore_cleared(self) -> None:
        """Word timings follow the text when Undo brings back what Clear removed, and Redo removes it again."""
        if self._cleared is None:
            return
        text, segments = self._cleared
        length = self.view.document().characterCount() - 1  # so that the text is copied only when it can match
        if length == len(text) and not self.segments and self.view.toPlainText() == text:
            self.segments.extend(segments)
        elif length == 0 and self.segments == segments:
            self.segments.clear()

    def restore(self, kept: Draft) -> None:
        """The text (and its word timings) the window had when it was last closed."""
        self.view.restore(kept.text)
        self.segments.extend(kept.transcript.segments)
        self.language = kept.transcript.language

    def snapshot(self) -> Draft:
        return Draft(self.view.toPlainText(), self.transcript())

    def transcript(self) -> Transcript:
        return Transcript(self.language, self.end, tuple(self.segments))
