"""What live recognition plans with: pass costs fitted on measured passes, the lag, the window ladder."""

import time

import pytest

from mms_desktop.core.recognition import (
    Lag,
    PassCosts,
    WindowOptions,
    affordable_window,
    describe,
    keeps_up,
    lag_after,
    plan_windows,
    window_ladder,
)


def test_pass_costs_fit_a_fixed_part_and_a_part_per_frame() -> None:
    costs = PassCosts()
    assert not costs.known and costs.predict(100) == 0.0
    costs.add(100, 0.2 + 0.008 * 100)  # measured with noise on top of 0.2 s + 8 ms a frame
    assert costs.predict(200) == pytest.approx(2.0)  # one size only: proportional
    for frames, noise in ((50, 0.01), (150, -0.01), (300, 0.02), (450, -0.02)):
        costs.add(frames, 0.2 + 0.008 * frames + noise)
    assert costs.predict(150) == pytest.approx(1.4, abs=0.03)
    assert costs.predict(1000) == pytest.approx(8.2, rel=0.03)
    assert costs.window(WindowOptions(2.0, 0.5)) == pytest.approx(costs.predict(150))


def test_pass_costs_follow_the_latest_passes() -> None:
    costs = PassCosts()
    for _ in range(30):
        costs.add(100, 0.1)
    for _ in range(30):  # the machine got busy: passes take three times as long
        costs.add(100, 0.3)
    assert costs.predict(100) == pytest.approx(0.3)


def test_lag_grows_with_work_and_falls_as_audio_arrives() -> None:
    lag = Lag()
    lag.begin(0.02)
    time.sleep(0.05)
    assert lag.seconds >= 0.05, "the work in progress counts"
    lag.end()
    done = lag.seconds
    time.sleep(0.02)
    assert lag.seconds == done, "waiting for audio adds nothing"
    lag.begin(0.03)  # 30 ms of audio arrived while the stream worked
    lag.end()
    assert lag.seconds == pytest.approx(done - 0.03, abs=0.005)
    lag.begin(10.0)
    assert lag.seconds < 0.01, "never below zero"


def test_the_longest_window_this_machine_affords_within_the_target() -> None:
    longest = WindowOptions(8.0, 1.0)
    ladder = window_ladder(longest)
    assert ladder[0] == longest and ladder[-1] == WindowOptions(2.0, 0.5)
    assert [w.chunk_s for w in ladder] == [8.0, 6.0, 4.0, 3.0, 2.0]
    assert all(w.context_s <= w.chunk_s / 4 or w == longest for w in ladder)
    assert window_ladder(WindowOptions(2.0, 0.5)) == [WindowOptions(2.0, 0.5)]

    costs = PassCosts()
    assert affordable_window(longest, costs, 1.8) == longest, "nothing measured yet"
    costs.add(50, 0.22 + 0.0076 * 50)  # MMS-1B int8 on a 2-core AVX2 CPU
    costs.add(500, 0.22 + 0.0076 * 500)
    assert affordable_window(longest, costs, 1.8) == WindowOptions(2.0, 0.5)
    assert affordable_window(longest, costs, 4.5) == WindowOptions(6.0, 1.0)
    assert affordable_window(longest, costs, 6.0) == longest
    assert affordable_window(longest, costs, 0.5) == WindowOptions(2.0, 0.5), "the quickest when none fits"
    fast = PassCosts()
    fast.add(50, 0.02)
    fast.add(500, 0.05)  # a GPU
    assert affordable_window(longest, fast, 1.8) == longest


def test_a_busy_machine_keeps_up_before_it_keeps_the_delay_limit() -> None:
    """With a core taken by another program, the shortest windows cost more than real time (their context is
    decoded twice and each pass reads the weights): the window chosen must keep up, or lose least."""
    longest = WindowOptions(8.0, 1.0)
    busy = PassCosts()  # MMS-1B bf16 on a 2-core AVX-512 BF16 CPU with one core busy: about 0.5 s a second
    busy.add(50, 0.2 + 0.01 * 50)
    busy.add(500, 0.2 + 0.01 * 500)
    assert not keeps_up(WindowOptions(2.0, 0.5), busy), "what the delay limit alone chose: 0.85 s a second"
    chosen = affordable_window(longest, busy, 1.8)
    assert keeps_up(chosen, busy) and chosen == WindowOptions(6.0, 1.0), "the quickest pass that keeps up"
    busier = PassCosts()  # one more program: every whole window costs more than 0.75 s a second of speech
    busier.add(50, 0.2 + 0.0135 * 50)
    busier.add(500, 0.2 + 0.0135 * 500)
    assert affordable_window(longest, busier, 1.8) == WindowOptions(8.0, 0.25), "then less context decoded twice"
    overloaded = PassCosts()  # MMS-1B int8 on a 2-core AVX2 CPU with one core busy: 3.8 x slower
    overloaded.add(50, 3.8 * (0.22 + 0.0076 * 50))
    overloaded.add(500, 3.8 * (0.22 + 0.0076 * 500))
    assert affordable_window(longest, overloaded, 1.8) == WindowOptions(2.0, 0.5), "none keeps up: the shortest"
    assert describe(longest, busy, 1.8).startswith("6 + 1 s: this machine is too busy to keep within the live")


def test_the_speaker_is_told_when_the_text_falls_behind_and_when_it_has_caught_up() -> None:
    lag = Lag()
    told = []
    for received, worked in [(0.5, 0.0)] + [(0.5, 1.5)] * 4 + [(0.5, 0.2)] * 12:
        lag.begin(received)
        lag._since -= worked  # as if the work had taken that long
        lag.end()
        told += lag.change(1.8)
    kinds = [type(t).__name__ for t in told]
    assert kinds == ["FallingBehind", "CaughtUp"], told
    assert 4.4 <= told[0].lag_s <= 4.7  # 1.5, 2.5, 3.5 s behind: told past 3.6 s (twice the limit)


def test_a_last_chunk_shorter_than_the_context_is_kept_from_the_window_before_it() -> None:
    options = WindowOptions(2.0, 0.5)
    n = int(4.3 * 16000)  # 214 frames: chunks of 100, 100 and 14, and 14 is within the 25 frames of context
    windows = plan_windows(n, options)
    assert len(windows) == 2
    assert windows[-1].start // 320 + windows[-1].keep_to == 214
    assert len(plan_windows(int(4.6 * 16000), options)) == 3, "a last chunk longer than the context keeps its own"


def test_the_lag_after_a_partial_counts_the_pass_that_may_follow_it() -> None:
    costs = PassCosts()
    costs.add(50, 0.22 + 0.0076 * 50)
    costs.add(500, 0.22 + 0.0076 * 500)
    window = WindowOptions(2.0, 0.5)  # a window is 150 frames: 1.36 s here
    one_pass = costs.predict(150)
    # 1 s into an utterance: the final pass would be short, the next window is due in 1.5 s
    assert lag_after(0.5, costs, window, 0, 16000) == pytest.approx(max(0.5 + costs.predict(59), one_pass))
    # 2.3 s in: the final pass would cover 124 frames; the next window is due 11 frames (0.22 s) later
    expected = max(1.0 + costs.predict(124), 1.0 - 0.22 + one_pass)
    assert lag_after(1.0, costs, window, 0, int(2.3 * 16000)) == pytest.approx(expected)
    # 2.6 s in with the first window run: the final pass is the second window only (frames 75 to 139)
    assert lag_after(1.0, costs, window, 1, int(2.6 * 16000)) == pytest.approx(1.0 + costs.predict(64))


def test_pass_costs_are_planned_with_while_another_thread_adds_to_them() -> None:
    import threading

    costs = PassCosts()
    costs.add(50, 0.1)
    errors: list[BaseException] = []
    done = threading.Event()

    def adding() -> None:  # a file transcription running passes
        frames = 0
        while not done.is_set():
            frames = frames % 500 + 10
            costs.add(frames, 0.001 * frames)

    adder = threading.Thread(target=adding)
    adder.start()
    try:
        for _ in range(3000):  # a dictation planning its next pass
            costs.predict(150)
    except RuntimeError as exc:
        errors.append(exc)
    finally:
        done.set()
        adder.join()
    assert not errors
    assert costs.predict(150) == pytest.approx(0.15)


def test_the_windows_are_described_with_the_reason() -> None:

    longest = WindowOptions(8.0, 1.0)
    costs = PassCosts()
    assert describe(longest, costs, 1.8).startswith("up to 8 + 1 s, as fast as this machine runs the model")
    costs.add(50, 0.22 + 0.0076 * 50)
    costs.add(500, 0.22 + 0.0076 * 500)
    assert describe(longest, costs, 1.8) == (
        "2 + 0.5 s: a pass over 8 + 1 s would take 4.0 s here, too long for the live delay limit of 1.8 s"
    )
    assert describe(longest, costs, 6.0) == "8 + 1 s (a pass over them takes 4.0 s here)"
