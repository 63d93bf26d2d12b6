"""Memory-mapped weights handed back around language identification, and read back exactly."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import noise

from mms_desktop.core.checkpoints import WEIGHTS, release_mapped_pages
from mms_desktop.core.recognition import LanguageIdentifier, Recognizer

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")


def resident_kb(path: Path) -> int:
    """Resident memory of this process's mappings of ``path``, as the kernel counts it."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            inside = line.endswith(str(path.resolve()))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


def test_identification_hands_back_both_models_weights_and_they_read_back_the_same(tiny_repos) -> None:
    asr_dir, lid_dir = tiny_repos["facebook/mms-1b-all"], tiny_repos["facebook/mms-lid-126"]
    recognizer = Recognizer.load(asr_dir, "eng", device="cpu", precision="float32")
    identifier = LanguageIdentifier.load(lid_dir, device="cpu", precision="float32")
    audio = noise(2.0, 3)
    before = recognizer.log_probs(audio, "fra")  # an adapter other than the one stored with the base weights
    assert resident_kb(asr_dir / WEIGHTS) > 0  # the pass read the recognizer's weights through the map

    probabilities = identifier.probabilities(audio)
    assert resident_kb(asr_dir / WEIGHTS) == 0 and resident_kb(lid_dir / WEIGHTS) == 0
    assert np.array_equal(identifier.probabilities(audio), probabilities)

    after = recognizer.log_probs(audio, "fra")  # mapped again from the file: French's adapter was not in the map
    np.testing.assert_array_equal(after, before)
    assert resident_kb(asr_dir / WEIGHTS) > 0
    release_mapped_pages()
    np.testing.assert_array_equal(recognizer.log_probs(audio, "fra"), before)
    fresh = Recognizer.load(asr_dir, "fra", device="cpu", precision="float32")
    np.testing.assert_array_equal(fresh.log_probs(audio, "fra"), before)
