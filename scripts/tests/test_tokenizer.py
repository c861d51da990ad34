# SPDX-License-Identifier: Apache-2.0
"""WordPiece tokenizer against the real bert-base-uncased vocabulary (cases derived by reading the
vocabulary), and the GLUE readers/metrics."""
import unittest

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import glue
from granita_model.tokenizer import WordpieceTokenizer


@unittest.skipUnless(support.HAVE_VOCAB, "needs the BERT vocabulary in $GRANITA_DATA")
class TokenizerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = WordpieceTokenizer(support.VOCAB)

    def test_special_ids(self):
        t = self.tok
        self.assertEqual((t.pad_id, t.unk_id, t.cls_id, t.sep_id), (0, 100, 101, 102))
        self.assertEqual(len(t), 30522)

    def test_unaffable_greedy_longest_match(self):
        # Derivation from the vocabulary: no entry for unaffable, unaffabl, unaffab, unaffa,
        # unaff, unaf; "una" is id 14477. Rest "ffable": ##ffable, ##ffabl, ##ffab absent,
        # "##ffa" is 20961. Rest "ble": "##ble" is 3468.
        ids = self.tok.ids
        for absent in ("unaffable", "unaffabl", "unaffab", "unaffa", "unaff", "unaf",
                       "##ffable", "##ffabl", "##ffab"):
            self.assertNotIn(absent, ids)
        self.assertEqual((ids["una"], ids["##ffa"], ids["##ble"]), (14477, 20961, 3468))
        self.assertEqual(self.tok.tokenize("unaffable"), ["una", "##ffa", "##ble"])
        self.assertEqual(self.tok.tokenize_ids("UNAFFABLE"), [14477, 20961, 3468])

    def test_punctuation_case_and_accents(self):
        self.assertEqual(self.tok.tokenize_ids("Hello, World!"), [7592, 1010, 2088, 999])
        self.assertEqual(self.tok.tokenize("naïve Café"), ["naive", "cafe"])
        self.assertEqual(self.tok.tokenize("it's"), ["it", "'", "s"])
        self.assertEqual(self.tok.tokenize("a$b"), ["a", "$", "b"])       # ASCII symbol = punct

    def test_case_mappings_are_str_lower(self):
        # Expected values from Python's str.lower() of each word (HF BasicTokenizer), worked out
        # by hand from SpecialCasing.txt and DerivedCoreProperties.txt, ids from the vocabulary.
        t = self.tok
        self.assertEqual(t.tokenize_ids("İstanbul"), [9960])   # i + U+0307, the dot is stripped
        self.assertEqual(t.tokenize_ids("\u212aelvin"), [24810])  # KELVIN SIGN -> k
        # Final_Sigma: Σ after a cased letter (skipping case-ignorables), not before one, is ς.
        self.assertEqual(t.tokenize("ΣΊΣΥΦΟΣ"), ["σ", "##ι", "##σ", "##υ", "##φ", "##ος"])
        self.assertEqual(t.tokenize("ΣΑΣ"), ["σ", "##α", "##ς"])
        self.assertEqual(t.tokenize("Σ 1Σ"), ["σ", "1", "##σ"])
        # the word ends at a space, a CJK ideograph, a special token; a digit is not cased
        self.assertEqual(t.tokenize("ΑΣ Α"), ["α", "##ς", "α"])
        self.assertEqual(t.tokenize("ΟΔΟΣ中"), ["ο", "##δ", "##ος", "中"])
        self.assertEqual(t.tokenize("ΟΔΟΣ[SEP]"), ["ο", "##δ", "##ος", "[SEP]"])
        self.assertEqual(t.tokenize("ΟΔΟΣ1"), ["ο", "##δ", "##ος", "##1"])
        # "." and "'" are case-ignorable: skipped, so the next letter decides
        self.assertEqual(t.tokenize("ΟΔΟΣ."), ["ο", "##δ", "##ος", "."])
        self.assertEqual(t.tokenize("ΟΔΟΣ.ΑΒ"), ["ο", "##δ", "##ο", "##σ", ".", "α", "##β"])
        self.assertEqual(t.tokenize("ΟΔΟΣ'"), ["ο", "##δ", "##ος", "'"])
        self.assertEqual(t.tokenize("ΟΔΟΣ'Α"), ["ο", "##δ", "##ο", "##σ", "'", "α"])
        # combining acute; U+0345 is cased but case-ignorable, and ignorable wins
        self.assertEqual(t.tokenize("Α\u0301Σ ΑΣ\u0345"), ["α", "##ς", "α", "##ς"])
        # dropped by the cleaning before lowering: soft hyphen (Cf), private use (Co)
        self.assertEqual(t.tokenize("ΟΔΟ\u00adΣ ΑΣ\ue000Α"),
                         ["ο", "##δ", "##ος", "α", "##σ", "##α"])

    def test_cjk_control_and_whitespace(self):
        self.assertEqual(self.tok.tokenize("中文"), ["中", "文"])
        # NUL, U+FFFD and the Cf zero-width space are dropped (they join the word); U+3000 (Zs)
        # and U+2028 (Zl) separate words.
        self.assertEqual(self.tok.tokenize("un\x00belie\ufffdvab\u200ble"), ["unbelievable"])
        self.assertEqual(self.tok.tokenize("hello\u3000world\u2028!"), ["hello", "world", "!"])
        self.assertEqual(self.tok.tokenize(" \t\n "), [])

    def test_special_tokens_kept_whole(self):
        self.assertEqual(self.tok.tokenize("[CLS] hi[SEP]x [cls]"),
                         ["[CLS]", "hi", "[SEP]", "x", "[", "cl", "##s", "]"])

    def test_long_word_and_unknown(self):
        self.assertEqual(self.tok.tokenize("a" * 101), ["[UNK]"])
        self.assertNotEqual(self.tok.tokenize("a" * 100), ["[UNK]"])
        self.assertEqual(self.tok.tokenize("\u2603\u2603x"), ["[UNK]"])     # no snowman pieces

    def test_encode_single_and_pair(self):
        ids, types = self.tok.encode("Hello, World!", None, 64)
        self.assertEqual(ids, [101, 7592, 1010, 2088, 999, 102])
        self.assertEqual(types, [0] * 6)
        ids, types = self.tok.encode("hello", "world", 64)
        self.assertEqual(ids, [101, 7592, 102, 2088, 102])
        self.assertEqual(types, [0, 0, 0, 1, 1])

    def test_longest_first_truncation(self):
        a = "one two three four five six"   # 6 tokens
        b = "seven eight"                   # 2 tokens
        ids, types = self.tok.encode(a, b, 8)  # room for 5: pop from a until 3 vs 2
        self.assertEqual([self.tok.tokens[i] for i in ids],
                         ["[CLS]", "one", "two", "three", "[SEP]", "seven", "eight", "[SEP]"])
        self.assertEqual(types, [0] * 5 + [1] * 3)
        ids, _ = self.tok.encode("one two", "three four", 6)   # room 3: tie pops from b
        self.assertEqual([self.tok.tokens[i] for i in ids],
                         ["[CLS]", "one", "two", "[SEP]", "three", "[SEP]"])
        ids, _ = self.tok.encode("a b c", None, 3)
        self.assertEqual(len(ids), 3)
        with self.assertRaises(ValueError):
            self.tok.encode("a", "b", 3)


class GlueTest(unittest.TestCase):
    def test_mrpc_bom_and_columns(self):
        text = ("\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
                "1\t1\t2\tHe said \"x\".\tShe said, too\r\n")
        ex = glue.parse_tsv(text, "dev.tsv", "MRPC")
        self.assertEqual(len(ex), 1)
        self.assertEqual((ex[0].text_a, ex[0].text_b, ex[0].label),
                         ('He said "x".', "She said, too", 1))

    def test_rte_labels_and_cola_headerless(self):
        rte = glue.parse_tsv("index\tsentence1\tsentence2\tlabel\n0\ta\tb\tnot_entailment\n"
                             "1\tc\td\tentailment\n", "f", "RTE")
        self.assertEqual([e.label for e in rte], [1, 0])
        cola = glue.parse_tsv("gj04\t1\t\tThe sailors rode.\ngj04\t0\t*\tBad the.\n", "f", "CoLA")
        self.assertEqual([(e.text_a, e.label) for e in cola],
                         [("The sailors rode.", 1), ("Bad the.", 0)])
        sst = glue.parse_tsv("sentence\tlabel\nit 's good \t1\n", "f", "sst2")
        self.assertEqual((sst[0].text_a, sst[0].label), ("it 's good ", 1))
        with self.assertRaisesRegex(ValueError, "f:2: expected 2 tab-separated columns"):
            glue.parse_tsv("sentence\tlabel\na\tb\t1\n", "f", "SST-2")

    def test_metrics(self):
        pred, gold = [1, 1, 0, 0, 1], [1, 0, 0, 1, 1]
        self.assertAlmostEqual(glue.accuracy(pred, gold), 0.6)
        self.assertAlmostEqual(glue.f1_binary(pred, gold), 2 * 2 / (2 * 2 + 1 + 1))
        self.assertAlmostEqual(glue.matthews(pred, gold), (2 * 1 - 1 * 1) / 6.0)
        self.assertAlmostEqual(glue.spearman([1, 2, 3], [3, 5, 9]), 1.0)


if __name__ == "__main__":
    unittest.main()
