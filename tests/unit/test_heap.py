"""Memory freed by one forward pass is kept for the next instead of being paged in again."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")

# After an int8 load (whose settings end with an explicit threshold for mapping blocks, which turns off
# glibc's own adjustment), blocks the size of MMS-1B's activations are allocated, written and freed as
# a forward pass does; the page faults of the later rounds are counted.
PASSES = """
import resource, numpy as np
from mms_desktop.core.checkpoints import memory
with memory.loading():
    pass
memory.for_inference()
def rounds():
    for _ in range(5):
        blocks = [np.ones(4 << 20, np.float32) for _ in range(3)]  # 16 MB each, as activations are
        del blocks
rounds()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
rounds()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def test_activations_freed_by_a_pass_are_not_paged_in_again() -> None:
    result = subprocess.run([sys.executable, "-c", PASSES], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    faults = int(result.stdout.strip())
    assert faults < 1000  # paging the blocks in again each round: 5 x 3 x 4,096 faults
