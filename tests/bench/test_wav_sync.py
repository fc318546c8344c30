"""What keeping a recording on the disk costs: the WAV writer fsyncs at least once a second, on
the thread that reads the microphone (the GUI thread in the app), so each sync must be short."""

import time

from speech.wavfile import WavWriter


def test_fsync_once_a_second_costs_little(tmp_path, figure):
    block = b"\0" * (48000 * 2 * 2 // 10)  # 100 ms of 48 kHz stereo, as a device delivers it
    bare = tmp_path / "bare.raw"
    with open(bare, "wb") as f:  # the same writes with no syncing, in the same run
        started = time.perf_counter()
        for _ in range(100):
            f.write(block)
            f.flush()
        plain = time.perf_counter() - started
    w = WavWriter(tmp_path / "synced.wav", 48000, 2)
    started = time.monotonic()
    syncs = 0
    for _ in range(100):
        w.write(block)
        time.sleep(0.1)  # real time: ten seconds of recording
    w.close()
    elapsed = time.monotonic() - started
    syncs = round(elapsed)  # one a second, plus the close
    per_sync_ms = w.sync_seconds / max(syncs, 1) * 1000
    assert figure(
        "Recording: fsync of the WAV once a second",
        "< 10 ms per sync",
        f"{per_sync_ms:.2f} ms per sync",
        f"{w.sync_seconds / elapsed * 100:.2f}% of the time",
        per_sync_ms < 10,
        note=f"Ten seconds of 48 kHz stereo written in real time; bare writes of the same audio took "
        f"{plain * 1000:.1f} ms in all.",
    )
