// SPDX-License-Identifier: Apache-2.0
// Expected wordpieces were worked out by hand from the rules of HF BertTokenizer (uncased) and
// checked against bert-base-uncased-vocab.txt with grep; an id is its 0-based line index there.
#include "src/text/wordpiece_tokenizer.h"

#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace granita::text {
namespace {

using Tokens = std::vector<std::string>;
using Ids = std::vector<int32_t>;

std::filesystem::path vocab_path() {
  return test::data_root() / "vocab/bert-base-uncased-vocab.txt";
}

/// Loads the real BERT vocabulary (skips or fails through GRANITA_REQUIRE_DATA if absent).
class BertVocabTest : public ::testing::Test {
protected:
  void SetUp() override {
    GRANITA_REQUIRE_DATA(vocab_path());
    m_tok.emplace(Vocab::load(vocab_path()));
  }
  Tokens tok(std::string_view s) const { return m_tok->tokenize(s); }
  Ids ids(std::string_view s) const { return m_tok->tokenize_ids(s); }
  const WordpieceTokenizer &tokenizer() const { return *m_tok; }

private:
  std::optional<WordpieceTokenizer> m_tok;
};

TEST_F(BertVocabTest, SpecialTokenIds) {
  const Vocab &v = tokenizer().vocab();
  EXPECT_EQ(v.size(), 30522u);
  EXPECT_EQ(v.pad_id(), 0);
  EXPECT_EQ(v.unk_id(), 100);
  EXPECT_EQ(v.cls_id(), 101);
  EXPECT_EQ(v.sep_id(), 102);
  EXPECT_EQ(v.mask_id(), 103);
  EXPECT_EQ(v.token(101), "[CLS]");
  EXPECT_EQ(v.id("hello"), 7592);
  EXPECT_EQ(v.id("##able"), 3085);
  EXPECT_EQ(v.id("unaffable"), -1);
  EXPECT_EQ(v.max_token_bytes(), 18u); // awk '{print length}' | sort -n | tail -1
}

TEST_F(BertVocabTest, LowercaseAndPunctuation) {
  EXPECT_EQ(tok("Hello, World!"), (Tokens{"hello", ",", "world", "!"}));
  EXPECT_EQ(ids("Hello, World!"), (Ids{7592, 1010, 2088, 999}));
  EXPECT_EQ(tok("don't"), (Tokens{"don", "'", "t"}));
  EXPECT_EQ(ids("don't"), (Ids{2123, 1005, 1056}));
  // "$" is category Sc but ASCII 33..47 counts as punctuation in BERT.
  EXPECT_EQ(tok("$5.00"), (Tokens{"$", "5", ".", "00"}));
  EXPECT_EQ(ids("$5.00"), (Ids{1002, 1019, 1012, 4002}));
  // "^" (Sk) and "`" (Sk) are split only because of the ASCII rule.
  EXPECT_EQ(ids("a^b`c"), (Ids{1037, 1034, 1038, 1036, 1039}));
  // Non-ASCII punctuation by category: « (Pi), » (Pf), — (Pd).
  EXPECT_EQ(tok("«hello»—world"), (Tokens{"«", "hello", "»", "—", "world"}));
  // "€" is Sc and not ASCII, so it is NOT punctuation: "5€" is one word, 5 + ##€ (30102).
  EXPECT_EQ(tok("5€"), (Tokens{"5", "##€"}));
  EXPECT_EQ(ids("5€"), (Ids{1019, 30102}));
}

TEST_F(BertVocabTest, GreedyLongestMatchFirst) {
  // unaffable: prefixes unaffable..una -> "una" (14477) is the longest in the vocab; then
  // ##ffable, ##ffabl, ##ffab are absent, ##ffa (20961) present; then ##ble (3468).
  EXPECT_EQ(tok("unaffable"), (Tokens{"una", "##ffa", "##ble"}));
  EXPECT_EQ(ids("unaffable"), (Ids{14477, 20961, 3468}));
  // A word with an unmatchable rest is one [UNK], not a partial split: "☃" is in no entry.
  EXPECT_EQ(tok("hello☃"), (Tokens{"[UNK]"}));
  EXPECT_EQ(tok("☃ hello"), (Tokens{"[UNK]", "hello"}));
}

TEST_F(BertVocabTest, AccentsAreStripped) {
  // lower -> NFD -> drop Mn: café -> cafe (7668), naïve -> naive (15743), ünïcödé -> unicode
  // (27260); none of the accented forms is in the vocabulary.
  EXPECT_EQ(tok("Café naïve Ünïcödé"), (Tokens{"cafe", "naive", "unicode"}));
  EXPECT_EQ(ids("Café naïve Ünïcödé"), (Ids{7668, 15743, 27260}));
  // Already decomposed input: e + U+0301.
  EXPECT_EQ(tok("Cafe\u0301"), (Tokens{"cafe"}));
}

TEST_F(BertVocabTest, CjkCharactersAreSeparateWords) {
  // 我 (1855) is in the vocab, 爱 and 你 are not: each is its own word, so only those two are
  // [UNK]. Without the CJK split the whole word would be a single [UNK].
  EXPECT_EQ(tok("我爱你"), (Tokens{"我", "[UNK]", "[UNK]"}));
  // ##国 and ##人 exist (30325, 30282), so without the split this would be 中 ##国 ##人.
  EXPECT_EQ(ids("中国人"), (Ids{1746, 1799, 1756}));
  EXPECT_EQ(tok("hello中国"), (Tokens{"hello", "中", "国"}));
}

TEST_F(BertVocabTest, ControlCharactersAreRemoved) {
  EXPECT_EQ(tok(std::string("hel\0lo", 6)), (Tokens{"hello"})); // NUL
  EXPECT_EQ(tok("hel\x7flo"), (Tokens{"hello"}));               // DEL (Cc)
  EXPECT_EQ(tok("hel\u200blo"), (Tokens{"hello"}));             // zero-width space (Cf)
  EXPECT_EQ(tok("hel\ue000lo"), (Tokens{"hello"}));             // private use (Co)
  EXPECT_EQ(tok("hel\ufffdlo"), (Tokens{"hello"}));             // replacement character
  // Vertical tab is Cc and not one of \t \n \r, so BERT deletes it rather than splitting:
  // "a\vb" -> "ab" (11113), not "a b".
  EXPECT_EQ(tok("a\vb"), (Tokens{"ab"}));
}

TEST_F(BertVocabTest, WhitespaceVariants) {
  EXPECT_EQ(tok("the\tquick\nbrown\r\nfox"), (Tokens{"the", "quick", "brown", "fox"}));
  EXPECT_EQ(ids("the\tquick\nbrown\r\nfox"), (Ids{1996, 4248, 2829, 4419}));
  EXPECT_EQ(tok("hello\u00a0world"), (Tokens{"hello", "world"})); // NBSP (Zs)
  EXPECT_EQ(tok("hello\u3000world"), (Tokens{"hello", "world"})); // ideographic space (Zs)
  // U+2028 is Zl: kept by _clean_text but split by Python's str.split().
  EXPECT_EQ(tok("hello\u2028world"), (Tokens{"hello", "world"}));
  EXPECT_TRUE(tok("").empty());
  EXPECT_TRUE(tok(" \t\r\n \u00a0 ").empty());
}

TEST_F(BertVocabTest, WordLengthLimit) {
  // 101 code points -> [UNK] without trying.
  EXPECT_EQ(tok(std::string(101, 'a')), (Tokens{"[UNK]"}));
  // 100 code points are split: longest a-prefix is "aaa" (no "aaaa"), then the longest
  // continuation is "##aa" (no "##aaa"): 97 = 48*2 + 1 -> aaa, 48 x ##aa, ##a = 50 pieces.
  Tokens expect = {"aaa"};
  for (int i = 0; i < 48; ++i)
    expect.push_back("##aa");
  expect.push_back("##a");
  EXPECT_EQ(tok(std::string(100, 'a')), expect);
  // The limit applies after accent stripping: 60 x (e + U+0301) is 120 code points of input but
  // a 60-letter word: "ee" (25212) then 29 x "##ee" (4402).
  std::string e_acute;
  for (int i = 0; i < 60; ++i)
    e_acute += "e\u0301";
  Ids expect_ids = {25212};
  for (int i = 0; i < 29; ++i)
    expect_ids.push_back(4402);
  EXPECT_EQ(ids(e_acute), expect_ids);
}

TEST_F(BertVocabTest, CaseMappingIsPythonLower) {
  // Expected values: Python's str.lower() of each whitespace word of the cleaned text (HF
  // BasicTokenizer), worked out by hand from SpecialCasing.txt and DerivedCoreProperties.txt.
  // İ (U+0130) lowers to i + U+0307; the dot is Mn and stripped: "istanbul" (9960).
  EXPECT_EQ(ids("İstanbul"), (Ids{9960}));
  // K (U+212A KELVIN SIGN) lowers to ASCII k: "kelvin" (24810).
  EXPECT_EQ(ids("\u212Aelvin"), (Ids{24810}));
}

TEST_F(BertVocabTest, FinalSigma) {
  // Final_Sigma: Σ after a cased letter (case-ignorable characters between may be skipped) and
  // not followed by one becomes ς, every other Σ becomes σ (Python's str.lower(); not Hugging
  // Face's fast tokenizer, which lowers one character at a time). Vocabulary: ο 1169, ##δ 29722,
  // ##ο 29730, ##σ 29733, ##ος 15297 ("οδος", "οδο", "##δος", "##δο" are absent).
  // "ΟΔΟΣ" -> "οδος" -> ο ##δ ##ος.
  EXPECT_EQ(ids("ΟΔΟΣ"), (Ids{1169, 29722, 15297}));
  // "σίσυφος": the first Σ has no cased letter before it, the middle one a letter after it;
  // Ί loses its accent: σ (1173) ##ι (18199) ##σ ##υ (29735) ##φ (29736) ##ος.
  EXPECT_EQ(tok("ΣΊΣΥΦΟΣ"), (Tokens{"σ", "##ι", "##σ", "##υ", "##φ", "##ος"}));
  // "σας": σ, ##α (14608), ##ς (19579); a lone "Σ" and "1Σ" (digits are not cased) give σ.
  EXPECT_EQ(ids("ΣΑΣ"), (Ids{1173, 14608, 19579}));
  EXPECT_EQ(ids("Σ"), (Ids{1173}));
  EXPECT_EQ(tok("1Σ"), (Tokens{"1", "##σ"}));
  // The context is the word: a space, a CJK ideograph or a literal special token ends it, and a
  // digit is neither cased nor case-ignorable. α is 1155, 中 1746, ##1 2487.
  EXPECT_EQ(ids("ΑΣ Α"), (Ids{1155, 19579, 1155}));
  EXPECT_EQ(ids("ΟΔΟΣ中"), (Ids{1169, 29722, 15297, 1746}));
  EXPECT_EQ(ids("ΟΔΟΣ[SEP]"), (Ids{1169, 29722, 15297, 102}));
  EXPECT_EQ(ids("ΟΔΟΣ1"), (Ids{1169, 29722, 15297, 2487}));
  // Case-ignorable characters are skipped on both sides: "." (MidNumLet) and "'" (Single_Quote)
  // are case-ignorable, so before a letter the Σ stays σ, and at the end it is ς; the combining
  // acute of NFD "Ά" and U+0345 (cased, but case-ignorable first) are skipped too.
  EXPECT_EQ(ids("ΟΔΟΣ."), (Ids{1169, 29722, 15297, 1012}));
  EXPECT_EQ(ids("ΟΔΟΣ.ΑΒ"), (Ids{1169, 29722, 29730, 29733, 1012, 1155, 29720}));
  EXPECT_EQ(ids("ΟΔΟΣ'"), (Ids{1169, 29722, 15297, 1005}));
  EXPECT_EQ(ids("ΟΔΟΣ'Α"), (Ids{1169, 29722, 29730, 29733, 1005, 1155}));
  EXPECT_EQ(ids("Α\u0301Σ"), (Ids{1155, 19579}));
  EXPECT_EQ(ids("ΑΣ\u0345"), (Ids{1155, 19579}));
  // Characters the cleaning drops are gone before lowering: the soft hyphen (Cf) and a private
  // use character (Co, neither cased nor case-ignorable) do not separate Σ from its neighbours.
  EXPECT_EQ(ids("ΟΔΟ\u00ADΣ"), (Ids{1169, 29722, 15297}));
  EXPECT_EQ(ids("ΑΣ\uE000Α"), (Ids{1155, 29733, 14608}));
}

TEST_F(BertVocabTest, LiteralSpecialTokensAreKept) {
  EXPECT_EQ(ids("[CLS] hello [SEP]"), (Ids{101, 7592, 102}));
  EXPECT_EQ(tok("hello[MASK]world"), (Tokens{"hello", "[MASK]", "world"}));
  // Matching is case-sensitive; "[cls]" is ordinary text: [ (1031) cl (18856) ##s (2015) ].
  EXPECT_EQ(ids("[cls]"), (Ids{1031, 18856, 2015, 1033}));
}

TEST_F(BertVocabTest, InvalidUtf8Throws) {
  EXPECT_NE(test::input_error_message([&] { tok("abc\xff"); }).find("invalid UTF-8 at byte 3"), std::string::npos);
  EXPECT_NE(test::input_error_message([&] { tok("ab\xc3"); }).find("at byte 2"), std::string::npos);   // truncated
  EXPECT_NE(test::input_error_message([&] { tok("\xc0\xaf"); }).find("at byte 0"), std::string::npos); // overlong
  EXPECT_NE(test::input_error_message([&] { tok("ok \xed\xa0\x80"); }).find("at byte 3"),
            std::string::npos); // UTF-8-encoded surrogate
  EXPECT_THROW(tokenizer().encode("fine", std::string_view("bad\x80"), 16), InputError);
}

TEST_F(BertVocabTest, EncodeSingle) {
  // the 1996, quick 4248, brown 2829, fox 4419.
  text::Encoding e = tokenizer().encode("The quick brown fox", std::nullopt, 512);
  EXPECT_EQ(e.ids, (Ids{101, 1996, 4248, 2829, 4419, 102}));
  EXPECT_EQ(e.type_ids, (Ids{0, 0, 0, 0, 0, 0}));
  // max_len 4 leaves room for two tokens.
  e = tokenizer().encode("The quick brown fox", std::nullopt, 4);
  EXPECT_EQ(e.ids, (Ids{101, 1996, 4248, 102}));
  e = tokenizer().encode("", std::nullopt, 3);
  EXPECT_EQ(e.ids, (Ids{101, 102}));
  EXPECT_THROW(tokenizer().encode("x", std::nullopt, 2), InputError);
}

TEST_F(BertVocabTest, EncodePairTruncatesLongestFirst) {
  // No truncation: [CLS] hello [SEP] world [SEP].
  text::Encoding e = tokenizer().encode("hello", std::string_view("world"), 16);
  EXPECT_EQ(e.ids, (Ids{101, 7592, 102, 2088, 102}));
  EXPECT_EQ(e.type_ids, (Ids{0, 0, 0, 1, 1}));

  // a = 4 tokens, b = 2, max 7: 9 - 7 = 2 to drop; 4 > 2 -> a=3; 3 > 2 -> a=2.
  e = tokenizer().encode("the quick brown fox", std::string_view("hello world"), 7);
  EXPECT_EQ(e.ids, (Ids{101, 1996, 4248, 102, 7592, 2088, 102}));
  EXPECT_EQ(e.type_ids, (Ids{0, 0, 0, 0, 1, 1, 1}));

  // a = 2, b = 4, max 6: 9 - 6 = 3 to drop; 2 < 4 -> b=3; 2 < 3 -> b=2; tie 2 == 2 -> b=1.
  e = tokenizer().encode("hello world", std::string_view("the quick brown fox"), 6);
  EXPECT_EQ(e.ids, (Ids{101, 7592, 2088, 102, 1996, 102}));
  EXPECT_EQ(e.type_ids, (Ids{0, 0, 0, 0, 1, 1}));

  EXPECT_THROW(tokenizer().encode("a", std::string_view("b"), 3), InputError);
  // Smallest legal pair length keeps one token in total (from a, after b lost the tie).
  e = tokenizer().encode("hello", std::string_view("world"), 4);
  EXPECT_EQ(e.ids, (Ids{101, 7592, 102, 102}));
}

TEST(WordpieceSmallVocab, GreedyPiecesAndUnk) {
  const Vocab v = Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "a", "ab", "##b"});
  const WordpieceTokenizer t(v);
  EXPECT_EQ(t.tokenize("unaffable"), (Tokens{"un", "##aff", "##able"}));
  // "ab" beats "a" + "##b" (longest first); "abb" = ab ##b.
  EXPECT_EQ(t.tokenize("ab abb"), (Tokens{"ab", "ab", "##b"}));
  EXPECT_EQ(t.tokenize("abc"), (Tokens{"[UNK]"}));
  EXPECT_EQ(t.tokenize_ids("un"), (Ids{5}));
  EXPECT_EQ(v.unk_id(), 1);
}

// ---- Vocab::load errors -------------------------------------------------------------------

const std::string kSpecials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";

std::string load_error(const std::string &bytes) {
  test::TempDir dir;
  const auto p = dir.path() / "vocab.txt";
  test::write_file(p, bytes);
  const std::string msg = test::input_error_message([&] { Vocab::load(p); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
  return msg;
}

TEST(VocabLoad, MissingFile) {
  test::TempDir dir;
  const auto p = dir.path() / "absent.txt";
  const std::string msg = test::input_error_message([&] { Vocab::load(p); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
}

TEST(VocabLoad, EmptyFile) { EXPECT_NE(load_error("").find("empty"), std::string::npos); }

TEST(VocabLoad, EmptyLine) {
  EXPECT_NE(load_error("[PAD]\n[UNK]\n\n[CLS]\n").find("vocab.txt:3: empty token"),
            std::string::npos);
}

TEST(VocabLoad, InvalidUtf8) {
  const std::string msg = load_error("[PAD]\nab\xff\n");
  EXPECT_NE(msg.find("vocab.txt:2: invalid UTF-8 at byte 2"), std::string::npos) << msg;
}

TEST(VocabLoad, DuplicateToken) {
  const std::string msg = load_error(kSpecials + "hello\nworld\nhello\n");
  EXPECT_NE(msg.find("vocab.txt:8: duplicate token 'hello'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 6"), std::string::npos) << msg;
}

TEST(VocabLoad, MissingSpecialToken) {
  const std::string msg = load_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n");
  EXPECT_NE(msg.find("[MASK]"), std::string::npos) << msg;
}

TEST(VocabLoad, CrlfAndNoFinalNewline) {
  test::TempDir dir;
  const auto p = dir.path() / "vocab.txt";
  test::write_file(p, "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhello");
  const Vocab v = Vocab::load(p);
  EXPECT_EQ(v.size(), 6u);
  EXPECT_EQ(v.id("[UNK]"), 1);
  EXPECT_EQ(v.id("hello"), 5);
  EXPECT_EQ(v.token(4), "[MASK]");
}

TEST(VocabFromTokens, RejectsDuplicatesAndMissingSpecials) {
  EXPECT_THROW(Vocab::from_tokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]"}), InputError);
  EXPECT_THROW(Vocab::from_tokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[PAD]"}),
               InputError);
  EXPECT_THROW(Vocab::from_tokens({}), InputError);
}

} // namespace
} // namespace granita::text
