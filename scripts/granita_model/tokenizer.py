# SPDX-License-Identifier: Apache-2.0
"""BERT uncased WordPiece tokenizer with the semantics of Hugging Face's (slow) BertTokenizer
(do_lower_case=True, tokenize_chinese_chars=True, default strip_accents), written to give the same
ids as the C++ tokenizer in src/text/ (wordpiece_tokenizer.cpp):

* the literal special tokens [PAD] [UNK] [CLS] [SEP] [MASK] are split out first and kept whole;
* clean text: drop NUL, U+FFFD and every category C* character except \\t \\n \\r;
* whitespace (' ', \\t, \\n, \\r and categories Zs, Zl, Zp -- the separators that survive the
  cleaning and that Python's str.split() splits on) ends a word; every CJK ideograph is a word;
* each word is lower-cased with str.lower(), as HF's slow tokenizer does (full mapping: "İ" is
  "i" + U+0307, and a capital sigma in the Final_Sigma context within the word is "ς"),
  NFD-normalised, stripped of Mn marks and split around punctuation (category P*, plus ASCII
  33-47, 58-64, 91-96, 123-126);
* each piece longer than 100 code points becomes [UNK]; otherwise greedy longest-match-first
  WordPiece with '##' continuations; a piece with an unmatched rest becomes one [UNK].
"""
import unicodedata

from . import paths

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
MAX_WORD_CHARS = 100


def load_vocab(path):
    """Token list in id order (id = 0-based line index)."""
    lines = paths.read_utf8(path).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tokens = []
    seen = {}
    for i, line in enumerate(lines):
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            raise ValueError("%s:%d: empty token" % (path, i + 1))
        if line in seen:
            raise ValueError("%s:%d: duplicate token %r (first on line %d)"
                             % (path, i + 1, line, seen[line] + 1))
        seen[line] = i
        tokens.append(line)
    for s in SPECIAL_TOKENS:
        if s not in seen:
            raise ValueError("%s: special token %s is missing" % (path, s))
    return tokens


def _is_whitespace(ch):
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def _is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordpieceTokenizer:
    """Contract: immutable after construction; tokenize()/encode() are pure functions of the text."""

    def __init__(self, vocab_path=None):
        self.vocab_path = vocab_path or paths.default_vocab_path()
        self.tokens = load_vocab(self.vocab_path)
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.unk_id = self.ids["[UNK]"]
        self.cls_id = self.ids["[CLS]"]
        self.sep_id = self.ids["[SEP]"]
        self.pad_id = self.ids["[PAD]"]
        self.max_token_chars = max(len(t) for t in self.tokens)

    def __len__(self):
        return len(self.tokens)

    # -- WordPiece on one punctuation-split piece
    def _wordpiece(self, piece, out):
        n = len(piece)
        if n == 0:
            return
        if n > MAX_WORD_CHARS:
            out.append(self.unk_id)
            return
        first = len(out)
        start = 0
        while start < n:
            found = -1
            end = min(n, start + self.max_token_chars)
            while end > start:
                cand = piece[start:end]
                if start > 0:
                    cand = "##" + cand
                found = self.ids.get(cand, -1)
                if found >= 0:
                    break
                end -= 1
            if found < 0:
                del out[first:]
                out.append(self.unk_id)
                return
            out.append(found)
            start = end

    def _flush_word(self, word, out):
        if not word:
            return
        # str.lower() of the whole word (as HF BasicTokenizer and src/text): the Final_Sigma
        # context of a "Σ" ends at the word's ends.
        text = unicodedata.normalize("NFD", word.lower())
        piece = []
        for ch in text:
            if unicodedata.category(ch) == "Mn":
                continue
            if _is_punctuation(ch):
                self._wordpiece("".join(piece), out)
                piece = []
                self._wordpiece(ch, out)
                continue
            piece.append(ch)
        self._wordpiece("".join(piece), out)

    def _basic_ids(self, text, out):
        word = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == "[":
                matched = None
                for sp in SPECIAL_TOKENS:
                    if text.startswith(sp, i):
                        matched = sp
                        break
                if matched:
                    self._flush_word("".join(word), out)
                    word = []
                    out.append(self.ids[matched])
                    i += len(matched)
                    continue
            i += 1
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_whitespace(ch):
                self._flush_word("".join(word), out)
                word = []
                continue
            if _is_cjk(cp):
                self._flush_word("".join(word), out)
                word = []
                self._flush_word(ch, out)
                continue
            word.append(ch)
        self._flush_word("".join(word), out)

    def tokenize_ids(self, text):
        out = []
        self._basic_ids(text, out)
        return out

    def tokenize(self, text):
        return [self.tokens[i] for i in self.tokenize_ids(text)]

    def encode(self, a, b=None, max_len=128):
        """ids, type_ids for [CLS] a [SEP] (b [SEP]), truncated longest-first to max_len."""
        specials = 3 if b is not None else 2
        if max_len < specials + 1:
            raise ValueError("max_len %d is too small: need at least %d" % (max_len, specials + 1))
        ta = self.tokenize_ids(a)
        tb = self.tokenize_ids(b) if b is not None else []
        while len(ta) + len(tb) + specials > max_len:
            if len(ta) > len(tb):
                ta.pop()
            else:
                tb.pop()
        ids = [self.cls_id] + ta + [self.sep_id]
        types = [0] * len(ids)
        if b is not None:
            ids += tb + [self.sep_id]
            types += [1] * (len(tb) + 1)
        return ids, types
