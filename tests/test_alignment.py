"""Heard words matched to the script: live (Follower) and whole-recording (align), with hand-made
transcripts that skip a paragraph, repeat a phrase, ad-lib and mishear."""

from __future__ import annotations

from app.alignment import Follower, align, heard_words, script_words

SCRIPT = """## Opening

Thank you all for coming today to remember my father Walter.

He grew up on a farm near the river and learned to fish before he could read.

## Stories

Every summer he took us camping by the lake and burned the sausages on purpose.

He taught me to drive in his old green truck with a door that never closed.

## Goodbye

We will miss his laugh and his terrible jokes, and we will keep telling them."""

P = [
    para.split()
    for para in (
        "Thank you all for coming today to remember my father Walter.",
        "He grew up on a farm near the river and learned to fish before he could read.",
        "Every summer he took us camping by the lake and burned the sausages on purpose.",
        "He taught me to drive in his old green truck with a door that never closed.",
        "We will miss his laugh and his terrible jokes, and we will keep telling them.",
    )
]


def first_index(paragraph: int) -> int:
    return next(w.index for w in script_words(SCRIPT) if w.paragraph == paragraph)


def last_index(paragraph: int) -> int:
    return max(w.index for w in script_words(SCRIPT) if w.paragraph == paragraph)


def test_script_words_know_their_paragraph_and_place():
    words = script_words(SCRIPT)
    assert [w.text for w in words[:3]] == ["Thank", "you", "all"]
    assert "Opening" not in [w.text for w in words]  # headings are not read aloud
    assert sorted({w.paragraph for w in words}) == [0, 1, 2, 3, 4]
    walter = next(w for w in words if w.text == "Walter")
    lines = SCRIPT.splitlines()
    assert lines[walter.line][walter.column : walter.column + 6] == "Walter"
    assert SCRIPT[walter.start : walter.end] == "Walter"
    assert walter.paragraph == 0 and walter.norm == "walter"


def test_follower_follows_a_clean_reading_word_by_word():
    f = Follower(SCRIPT)
    spoken = [w for para in P for w in para]
    positions = [f.hear([w]) for w in spoken]
    assert positions == list(range(len(spoken)))


def test_follower_is_not_sure_before_the_speech_starts_and_ignores_one_common_word():
    f = Follower(SCRIPT)
    assert f.hear(["um", "okay"]) is None
    # "the" occurs all through the script: on its own it places nothing
    assert f.hear(["the"]) is None
    assert f.hear(["thank", "you"]) == 1


def test_follower_tolerates_misheard_adlibbed_and_repeated_words():
    f = Follower(SCRIPT)
    f.hear(["thank", "you", "all", "for", "coming"])
    assert f.position == 4
    f.hear(["uh", "really"])  # ad-lib: stays
    assert f.position == 4
    f.hear(["today", "to", "remember", "my", "farther"])  # misheard "father"
    assert f.position == 9
    f.hear(["walter"])
    assert f.position == 10
    f.hear(["he", "grew", "up", "on", "a", "farm"])
    assert f.position == 16
    f.hear(["on", "a", "farm"])  # repeated phrase: the place does not run off
    assert 14 <= f.position <= 18
    f.hear(["near", "the", "river"])
    assert f.position == 19


def test_follower_jumps_when_a_paragraph_is_skipped_within_a_few_words():
    f = Follower(SCRIPT)
    f.hear(P[0] + P[1])
    assert f.position == last_index(1)
    # paragraph 2 (camping) skipped: straight into the truck
    heard = []
    for n, word in enumerate(P[3], start=1):
        heard.append(f.hear([word]))
        if f.position is not None and f.position >= first_index(3):
            break
    assert f.position is not None and first_index(3) <= f.position <= first_index(3) + 8
    assert n <= 6, f"took {n} words to find the next paragraph"
    f.hear(P[3][n:])
    assert f.position == last_index(3)
    f.hear(P[4])
    assert f.position == last_index(4)


def test_follower_does_not_jump_on_common_words_of_a_later_paragraph():
    f = Follower(SCRIPT)
    f.hear(P[0])
    before = f.position
    f.hear(["and", "the", "his", "and", "we", "will"])  # filler of common words found all over the script
    assert f.position is not None and f.position - before <= 3


def timed(words: list[str], start: float = 0.0, gap: float = 0.0, pace: float = 0.4):
    out, t = [], start
    for w in words:
        out.append((w, t, t + pace * 0.8))
        t += pace
    return out, t + gap


def test_align_gives_every_said_word_its_time_and_none_to_a_skipped_paragraph():
    heard, t = timed(P[0])
    more, t = timed(["um", "sorry"] + P[1], t + 1)
    heard += more
    more, t = timed(P[3], t + 3)  # paragraph 2 skipped, a 3 s pause
    heard += more
    more, t = timed(P[4][:3] + P[4][:3] + P[4][3:], t)  # "we will miss" said twice
    heard += more
    a = align(SCRIPT, heard)
    by_par = {}
    for w, time in zip(a.words, a.times):
        by_par.setdefault(w.paragraph, []).append(time)
    assert all(by_par[0]) and all(by_par[1]) and all(by_par[3])
    assert not any(by_par[2])
    assert sum(x is not None for x in by_par[4]) >= len(by_par[4]) - 1
    assert a.times[0] == heard[0][1:]
    # the first word of paragraph 3 is the first word heard after the pause
    truck = first_index(3)
    assert a.times[truck][0] == heard[len(P[0]) + 2 + len(P[1])][1]
    assert {a.heard[j][0] for j in a.extra} >= {"um", "sorry"}


def test_align_pairs_misheard_words_in_place():
    words = P[0].copy()
    words[words.index("father")] = "fodder"
    words[words.index("remember")] = "remembered"
    words[words.index("Walter.")] = "Walt"
    heard, _ = timed(words)
    a = align(SCRIPT, heard)
    assert all(a.times[i] is not None for i in range(len(P[0])))
    assert [a.times[i][0] for i in range(len(P[0]))] == [h[1] for h in heard]


def test_align_of_nothing_heard_is_all_none():
    a = align(SCRIPT, [])
    assert a.times and not any(a.times)
    assert heard_words("Don't stop—go!") == ["Don't", "stop", "go"]
