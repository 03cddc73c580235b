"""Which source document a question names, and the question without the words that name it.

People point at a document rather than a measure: "新政发〔2020〕16号对低保对象有什么措施", "按新疆2023年稳
就业通知，个体工商户能享受吗", "2020年那个实施意见里厂房免费用几年". The document (its 文号, or a year with
words such as 通知 / 实施意见) narrows the measures to look among; the naming words themselves say nothing
about the detail asked, and left in the question they would only dilute how well a FAQ entry fits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from ..knowledge.model import KnowledgeBase

_YEAR = re.compile(r"(?:20\d\d|二零[一二]\d)年(?:的|那个|那份|出的|发的|出台的)?")
_DOC_NO_PARTS = re.compile(r"[^\w]|_")


TITLE_SHARE = 0.5   # of a title's own word pairs a question must repeat to name the document by its title


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _fold_doc_no(text: str) -> str:
    """新政发〔2020〕16号 and 新政发[2020]16号 and 新政发2020 16号 all read alike."""
    return _DOC_NO_PARTS.sub("", text)


@dataclass(frozen=True)
class NamedDocuments:
    keys: tuple[str, ...]   # the source documents named by 文号 (empty: none named that way)
    year: bool              # a year was named ("2020年那个…"), which `PolicyChooser.by_year` applies
    rest: str               # the question without the naming words

    @property
    def any(self) -> bool:
        return bool(self.keys) or self.year


class DocumentNames:
    """The 文号 of every source and the words people use to refer to a document (intents/details.yaml,
    `document_words`: 文件, 通知, 实施意见 …)."""

    def __init__(self, kb: KnowledgeBase, words: Iterable[str], compact: Callable[[str], str]):
        self._by_no: list[tuple[re.Pattern[str], str]] = []
        for doc in kb.sources.values():
            if not doc.doc_no:
                continue
            folded = _fold_doc_no(compact(doc.doc_no))
            number = re.search(r"(\d+)号$", re.split(r"[〕\]）)]", doc.doc_no)[-1])   # 16 of 〔2020〕16号
            forms = [re.escape(folded)]
            if number:   # "16号文" / "49号文件": only the number and 号文
                forms.append(rf"(?<!\d){number.group(1)}号文(?:件)?")
            self._by_no.append((re.compile("|".join(forms)), doc.key))
        ordered = sorted({compact(w) for w in words if compact(w)}, key=len, reverse=True)
        self._words = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        # each title's word pairs, without the ones every title shares (关于, 通知, 政策 …)
        titles = {doc.key: _pairs(compact(doc.title)) for doc in kb.sources.values()}
        common = {g for g in set().union(*titles.values()) if sum(g in t for t in titles.values()) > 1}
        self._titles = {key: pairs - common for key, pairs in titles.items() if pairs - common}
        self._of_region: dict[str, list[tuple[str, int | None]]] = {}
        for doc in kb.sources.values():
            self._of_region.setdefault(doc.region, []).append((doc.key, doc.date.year if doc.date else doc.year))

    def is_document_word(self, word: str) -> bool:
        """通知, 文件, 清单 … (intents/details.yaml, document_words)."""
        return bool(self._words and self._words.fullmatch(word))

    def of_region(self, compact_text: str, regions: list[str]) -> str | None:
        """"兵团那个通知是正式文件吗", "新疆2023年的通知还有效吗": a document word (通知, 文件) and a region
        (and year, if one is named) that have only one document."""
        if not self._words or not self._words.search(compact_text):
            return None
        years = {int(y) for y in re.findall(r"(20\d\d)年", compact_text)}
        keys = {k for r in regions for k, year in self._of_region.get(r, ()) if not years or year in years}
        return keys.pop() if len(keys) == 1 else None

    def titled(self, compact_text: str) -> str | None:
        """The one document whose title the words mostly repeat ("兵团延续失业保险援企稳岗政策的通知")."""
        said = _pairs(compact_text)
        shares = sorted(((len(said & pairs) / len(pairs), key) for key, pairs in self._titles.items()), reverse=True)
        if not shares or shares[0][0] < TITLE_SHARE:
            return None
        runner_up = shares[1][0] if len(shares) > 1 else 0.0
        return shares[0][1] if shares[0][0] > runner_up else None

    def read(self, compact_text: str) -> NamedDocuments:
        """`compact_text`: the question normalised, without spaces."""
        folded = _fold_doc_no(compact_text)
        keys = tuple(key for pattern, key in self._by_no if pattern.search(folded))
        year = bool(_YEAR.search(compact_text))
        if not keys and not year:
            return NamedDocuments((), False, compact_text)
        rest = folded if keys else compact_text
        for pattern, _ in self._by_no:
            rest = pattern.sub(" ", rest)
        rest = _YEAR.sub(" ", rest)
        if self._words:
            rest = self._words.sub(" ", rest)
        return NamedDocuments(keys, year, re.sub(r" +", " ", rest).strip())
