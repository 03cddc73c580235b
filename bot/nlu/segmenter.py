"""jieba, loaded fast and small: the project's own cache of jieba's dictionary, read in one go.

jieba's own cache is read with `marshal.load(file)`, which reads the file in small pieces (~0.5 s at
start-up); `marshal.loads(path.read_bytes())` of the same data takes a third of that. The cache lives in
var/cache/ (or the user cache directory when the checkout is read-only), named by a hash of the
dictionary's content, so a new jieba release or an edited dictionary gets a new cache by itself.

jieba's prefix dictionary holds every prefix of every word (149,000 of its 498,000 keys are prefixes only,
with frequency 0) so that building a sentence's word graph can stop at the first non-prefix. The
`CompactTokenizer` keeps the words (and the single characters) and looks instead as far as the longest
word that starts with the character: the same word graph, the same cut, 19 MB less (the keys, and a
table half the size). It costs about 15 µs more per question to cut; keeping the two-character prefixes
would save only 6 MB (the table then needs the next power of two) for 5 µs less.
"""
from __future__ import annotations

import hashlib
import logging
import marshal
import sys
from io import BytesIO
from math import log as ln
from pathlib import Path

from ..knowledge.cachefiles import cache_dirs, prune, write_cache


def _import_jieba():
    """jieba imports pkg_resources (50 ms, deprecated) only to open its own files; without it, it opens
    them by path. Hide pkg_resources for that one import unless something else already loaded it."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment] — makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()
jieba.setLogLevel(logging.WARNING)


def _dictionary_path() -> Path:
    return Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME


KEPT_PREFIX = 1  # prefix-only entries up to this length stay (single characters: `suggest_freq` reads their 0)


def compact(freq: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """jieba's prefix dictionary without its prefix-only entries longer than KEPT_PREFIX, and per first
    character the length of the longest word."""
    words = {w: f for w, f in freq.items() if f or len(w) <= KEPT_PREFIX}
    longest: dict[str, int] = {}
    for w in words:
        if len(w) > longest.get(w[0], 0):
            longest[w[0]] = len(w)
    return words, longest


def load_prefix_dict(dirs: list[Path] | None = None) -> tuple[dict[str, int], int, dict[str, int]]:
    """(words, total, longest) of jieba's default dictionary, from the content-keyed cache when present."""
    source = _dictionary_path()
    with source.open("rb") as dictionary:
        digest = hashlib.file_digest(dictionary, "sha1").hexdigest()
    name = f"jieba-{digest[:16]}.words{KEPT_PREFIX}.marshal"
    candidates = dirs if dirs is not None else cache_dirs()
    for directory in candidates:
        try:
            words, total, longest = marshal.loads((directory / name).read_bytes())
            return words, total, longest
        except (OSError, EOFError, ValueError, TypeError):
            continue
    freq, total = jieba.Tokenizer().gen_pfdict(BytesIO(source.read_bytes()))
    words, longest = compact(freq)
    del freq
    data = marshal.dumps((words, total, longest))
    for directory in candidates:
        if write_cache(directory / name, data):
            break
    return words, total, longest


BLOCK_MEMORY = 512  # cut blocks remembered: one message's views (whole text, sentences, parts) share clauses


class CompactTokenizer(jieba.Tokenizer):
    """jieba's Tokenizer on a dictionary of words only (see the module's docstring): the same cuts.

    `lcut` (accurate mode with HMM, all the bot uses) is jieba's own algorithm, written as one pass: the
    word graph and the best route are found together, each block of Han characters cut once and its words
    remembered (bounded), since the views of one message repeat the same clauses."""

    longest: dict[str, int]
    cuts: "CutCache"
    _blocks: dict[str, tuple[str, ...]]

    def __init__(self) -> None:
        super().__init__()
        self._blocks = {}

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:  # noqa: N802 — jieba's name
        """Every k → the ends i of the words sentence[k:i+1] (or [k]), exactly as jieba builds it."""
        freq, longest = self.FREQ, self.longest
        dag = {}
        n = len(sentence)
        for k in range(n):
            ends = [i for i in range(k, min(n, k + longest.get(sentence[k], 1))) if freq.get(sentence[k:i + 1])]
            dag[k] = ends or [k]
        return dag

    def lcut(self, sentence, cut_all=False, HMM=True, use_paddle=False) -> list[str]:  # noqa: N803
        """`list(self.cut(sentence))`, the same words (jieba's `cut` with its regular expressions)."""
        if cut_all or not HMM or use_paddle or not isinstance(sentence, str):
            return super().lcut(sentence, cut_all=cut_all, HMM=HMM, use_paddle=use_paddle)
        out: list[str] = []
        for block in _RE_HAN.split(sentence):
            if not block:
                continue
            if _RE_HAN.match(block):
                out += self._block(block)
                continue
            for piece in _RE_SKIP.split(block):
                if _RE_SKIP.match(piece):
                    out.append(piece)
                else:
                    out += piece
        return out

    def _block(self, block: str) -> tuple[str, ...]:
        memory = self._blocks
        words = memory.get(block)
        if words is None:
            if len(memory) >= BLOCK_MEMORY:
                memory.clear()
            words = memory[block] = tuple(self._cut_block(block))
        return words

    def _route(self, sentence: str) -> list[int]:
        """Per position, the end of the word the best route takes there: jieba's get_DAG and calc in one
        backward pass, with calc's very sums and its tie rule (the later end wins)."""
        freq, longest = self.FREQ, self.longest
        n = len(sentence)
        logtotal = ln(self.total)
        prob = [0.0] * (n + 1)
        end = [0] * n
        for k in range(n - 1, -1, -1):
            best, best_end = None, k
            for i in range(k, min(n, k + longest.get(sentence[k], 1))):
                f = freq.get(sentence[k:i + 1])
                if f:
                    p = ln(f) - logtotal + prob[i + 1]
                    if best is None or p >= best:
                        best, best_end = p, i
            if best is None:  # no word starts here: the character alone, as jieba's `or 1` scores it
                best = ln(1) - logtotal + prob[k + 1]
            prob[k], end[k] = best, best_end
        return end

    def _cut_block(self, sentence: str) -> list[str]:
        """jieba's __cut_DAG: the best route, runs of single characters not in the dictionary given to
        the HMM (jieba's finalseg)."""
        end, freq, out = self._route(sentence), self.FREQ, []
        x, buf, n = 0, "", len(sentence)
        while x < n:
            y = end[x] + 1
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    out += _loose(buf, freq)
                    buf = ""
                out.append(sentence[x:y])
            x = y
        if buf:
            out += _loose(buf, freq)
        return out

    def add_word(self, word, freq=None, tag=None) -> None:
        """jieba's add_word, then the prefix-only entries it added taken out again."""
        self._blocks.clear()
        added = [word[:n] for n in range(KEPT_PREFIX + 1, len(word)) if word[:n] not in self.FREQ]
        super().add_word(word, freq, tag)
        for prefix in added:
            if not self.FREQ.get(prefix):
                del self.FREQ[prefix]
        if word and len(word) > self.longest.get(word[0], 0):
            self.longest[word[0]] = len(word)


_RE_HAN, _RE_SKIP = jieba.re_han_default, jieba.re_skip_default


def _loose(buf: str, freq: dict[str, int]) -> list[str] | str:
    """A run of single characters on jieba's route: one character, a word of its own (its characters),
    or new words the HMM finds."""
    if len(buf) == 1 or freq.get(buf):
        return buf
    return list(jieba.finalseg.cut(buf))


KEPT_CUT_FILES = 4  # cut caches of other example sets (an edited examples.yaml, a bench copy) kept besides


class CutCache:
    """The cuts of the texts a start segments every time (the examples), kept from one start to the next.

    One file per set of texts, named by their content and the dictionaries' (any change starts afresh,
    older files beyond a few are removed); a start reads only its own. Deleting the files is always safe."""

    def __init__(self, tokenizer: "CompactTokenizer", key: str, dirs: list[Path]):
        self.tokenizer, self.key, self.dirs = tokenizer, key, dirs

    def _name(self, texts: list[str]) -> str:
        digest = hashlib.sha1("\n".join(texts).encode("utf-8", "surrogatepass")).hexdigest()
        return f"cuts-{self.key}-{digest[:16]}.marshal"

    def cut_all(self, texts: list[str]) -> list[list[str]]:
        """`tokenizer.lcut` of each text."""
        name = self._name(texts)
        for directory in self.dirs:
            try:
                cuts = marshal.loads((directory / name).read_bytes())
                if isinstance(cuts, list) and len(cuts) == len(texts):
                    return cuts
            except (OSError, EOFError, ValueError, TypeError):
                continue
        cuts = [self.tokenizer.lcut(t) for t in texts]
        data = marshal.dumps(cuts)
        written = next((d for d in self.dirs if write_cache(d / name, data)), None)
        if written is not None:
            prune(written, "cuts-*.marshal", keep=KEPT_CUT_FILES + 1)
        return cuts


def _content_key(extra: bytes) -> str:
    """sha1 of jieba's dictionary, then `extra` and jieba's version — the dictionary read in small pieces:
    a 5 MB string freed just before the dictionary is built leaves the heap holding ~6 MB more."""
    digest = hashlib.sha1()
    with _dictionary_path().open("rb") as dictionary:
        for chunk in iter(lambda: dictionary.read(1 << 16), b""):
            digest.update(chunk)
    digest.update(b"\0" + extra + jieba.__version__.encode())
    return digest.hexdigest()


def make_tokenizer(userdict: Path | None, dirs: list[Path] | None = None) -> CompactTokenizer:
    """A tokenizer of its own (never jieba's global one) with the project's user dictionary.

    The dictionary with the user words already added is kept too (keyed by both dictionaries' content and
    jieba's version): a start reads it in one go instead of the plain one, the user words and a copy."""
    tokenizer = CompactTokenizer()
    dirs = dirs if dirs is not None else cache_dirs()
    extra = userdict.read_bytes() if userdict else b""
    key = _content_key(extra)
    tokenizer.cuts = CutCache(tokenizer, key[:16], dirs)
    tokenizer.initialized = True
    name = f"jieba-{key[:16]}.user{KEPT_PREFIX}.marshal"
    for directory in dirs:
        try:
            tokenizer.FREQ, tokenizer.total, tokenizer.longest, tags, forced = marshal.loads((directory / name).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            continue
        tokenizer.user_word_tag_tab.update(tags)
        for word in forced:   # what load_userdict does besides the dictionary: words of frequency 0
            jieba.finalseg.add_force_split(word)
        return tokenizer
    tokenizer.FREQ, tokenizer.total, tokenizer.longest = load_prefix_dict(dirs)
    forced_before = set(jieba.finalseg.Force_Split_Words)
    if userdict:
        tokenizer.load_userdict(str(userdict))
        # the user words can push the table past a power of two (twice the memory): copy it to its size
        tokenizer.FREQ = dict(tokenizer.FREQ)
    forced = sorted(set(jieba.finalseg.Force_Split_Words) - forced_before)
    data = marshal.dumps((tokenizer.FREQ, tokenizer.total, tokenizer.longest, tokenizer.user_word_tag_tab, forced))
    next((d for d in dirs if write_cache(d / name, data)), None)
    return tokenizer
