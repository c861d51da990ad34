// SPDX-License-Identifier: Apache-2.0
// Row counts come from /work/shared/glue/PROVENANCE.md; first rows were read with `head`; label
// counts not stated there were counted with `awk -F'\t' '{print $NF}' | sort | uniq -c`.
#include "src/glue/tsv_reader.h"

#include "src/glue/glue_task.h"
#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace granita::glue {
namespace {

std::filesystem::path glue_file(const std::string &rel) { return test::data_root() / "glue" / rel; }

std::map<int, int> label_counts(const std::vector<Example> &rows) {
  std::map<int, int> counts;
  for (const Example &e : rows)
    ++counts[e.label];
  return counts;
}

// ---- task table ---------------------------------------------------------------------------

TEST(GlueTask, NamesAreCaseInsensitiveAndDashOptional) {
  EXPECT_EQ(task_info("sst2").name, "SST-2");
  EXPECT_EQ(task_info("SST-2").name, "SST-2");
  EXPECT_EQ(task_info("stsb").name, "STS-B");
  EXPECT_EQ(task_info("cola").name, "CoLA");
  EXPECT_EQ(task_info("Mnli").num_labels, 3);
  EXPECT_EQ(task_info("STS-B").num_labels, 1);
  EXPECT_EQ(task_info("MRPC").metrics, (std::vector<std::string>{"accuracy", "f1"}));
  EXPECT_EQ(task_info("CoLA").metrics, (std::vector<std::string>{"matthews"}));
  EXPECT_EQ(task_info("STS-B").metrics, (std::vector<std::string>{"pearson", "spearman"}));
  EXPECT_TRUE(task_info("rte").pair);
  EXPECT_FALSE(task_info("sst-2").pair);
  EXPECT_EQ(task_info("mnli").label_names,
            (std::vector<std::string>{"contradiction", "entailment", "neutral"}));
  const std::string msg = test::input_error_message([] { task_info("squad"); });
  EXPECT_NE(msg.find("squad"), std::string::npos) << msg;
  EXPECT_NE(msg.find("WNLI"), std::string::npos) << msg;
}

// ---- real GLUE files ----------------------------------------------------------------------

TEST(GlueRealFiles, Sst2) {
  GRANITA_REQUIRE_DATA(glue_file("SST-2/train.tsv"));
  const auto train = read_glue_tsv(glue_file("SST-2/train.tsv"), task_info("SST-2"));
  ASSERT_EQ(train.size(), 67349u);
  EXPECT_EQ(train[0].text_a, "hide new secretions from the parental units "); // trailing blank
  EXPECT_FALSE(train[0].text_b.has_value());
  EXPECT_EQ(train[0].label, 0);
  EXPECT_EQ(train[0].line, 2);
  EXPECT_EQ(label_counts(train), (std::map<int, int>{{0, 29780}, {1, 37569}}));

  const auto dev = read_glue_tsv(glue_file("SST-2/dev.tsv"), task_info("sst2"));
  ASSERT_EQ(dev.size(), 872u);
  EXPECT_EQ(dev[0].text_a, "it 's a charming and often affecting journey . ");
  EXPECT_EQ(dev[0].label, 1);
  EXPECT_EQ(label_counts(dev), (std::map<int, int>{{0, 428}, {1, 444}}));
}

TEST(GlueRealFiles, Cola) {
  GRANITA_REQUIRE_DATA(glue_file("CoLA/train.tsv"));
  const auto train = read_glue_tsv(glue_file("CoLA/train.tsv"), task_info("CoLA"));
  ASSERT_EQ(train.size(), 8551u); // no header: line 1 is data
  EXPECT_EQ(train[0].text_a,
            "Our friends won't buy this analysis, let alone the next one we propose.");
  EXPECT_EQ(train[0].label, 1);
  EXPECT_EQ(train[0].line, 1);
  EXPECT_EQ(label_counts(train), (std::map<int, int>{{0, 2528}, {1, 6023}}));

  // dev.tsv has no final newline; its last row must still be read.
  const auto dev = read_glue_tsv(glue_file("CoLA/dev.tsv"), task_info("CoLA"));
  ASSERT_EQ(dev.size(), 1043u);
  EXPECT_EQ(dev[0].text_a, "The sailors rode the breeze clear of the rocks.");
  EXPECT_EQ(dev.back().text_a, "John talked to Bill about himself.");
  EXPECT_EQ(dev.back().line, 1043);
  EXPECT_EQ(label_counts(dev), (std::map<int, int>{{0, 322}, {1, 721}}));
}

TEST(GlueRealFiles, MrpcWithByteOrderMark) {
  GRANITA_REQUIRE_DATA(glue_file("MRPC/train.tsv"));
  const auto train = read_glue_tsv(glue_file("MRPC/train.tsv"), task_info("MRPC"));
  ASSERT_EQ(train.size(), 3668u);
  EXPECT_EQ(train[0].text_a, "Amrozi accused his brother, whom he called \"the witness\", of "
                             "deliberately distorting his evidence.");
  EXPECT_EQ(train[0].text_b, "Referring to him as only \"the witness\", Amrozi accused his "
                             "brother of deliberately distorting his evidence.");
  EXPECT_EQ(train[0].label, 1);
  EXPECT_EQ(label_counts(train), (std::map<int, int>{{0, 1194}, {1, 2474}}));

  const auto dev = read_glue_tsv(glue_file("MRPC/dev.tsv"), task_info("MRPC"));
  ASSERT_EQ(dev.size(), 408u);
  // An unbalanced quote: CSV quoting would swallow the following rows.
  EXPECT_EQ(dev[0].text_b, "\"The foodservice pie business does not fit our long-term growth "
                           "strategy.");
  EXPECT_EQ(label_counts(dev), (std::map<int, int>{{0, 129}, {1, 279}}));
}

TEST(GlueRealFiles, Rte) {
  GRANITA_REQUIRE_DATA(glue_file("RTE/train.tsv"));
  const auto train = read_glue_tsv(glue_file("RTE/train.tsv"), task_info("RTE"));
  ASSERT_EQ(train.size(), 2490u);
  EXPECT_EQ(train[0].text_a, "No Weapons of Mass Destruction Found in Iraq Yet.");
  EXPECT_EQ(train[0].text_b, "Weapons of Mass Destruction Found in Iraq.");
  EXPECT_EQ(train[0].label, 1); // not_entailment
  EXPECT_EQ(label_counts(train), (std::map<int, int>{{0, 1249}, {1, 1241}}));

  const auto dev = read_glue_tsv(glue_file("RTE/dev.tsv"), task_info("RTE"));
  ASSERT_EQ(dev.size(), 277u);
  EXPECT_EQ(dev[0].text_b, "Christopher Reeve had an accident.");
  EXPECT_EQ(label_counts(dev), (std::map<int, int>{{0, 146}, {1, 131}}));
}

TEST(GlueRealFiles, StsB) {
  GRANITA_REQUIRE_DATA(glue_file("STS-B/train.tsv"));
  const auto train = read_glue_tsv(glue_file("STS-B/train.tsv"), task_info("STS-B"));
  ASSERT_EQ(train.size(), 5749u);
  EXPECT_EQ(train[0].text_a, "A plane is taking off.");
  EXPECT_EQ(train[0].text_b, "An air plane is taking off.");
  EXPECT_DOUBLE_EQ(train[0].score, 5.0);
  EXPECT_DOUBLE_EQ(train[1].score, 3.8);

  const auto dev = read_glue_tsv(glue_file("STS-B/dev.tsv"), task_info("STS-B"));
  ASSERT_EQ(dev.size(), 1500u);
  EXPECT_EQ(dev[0].text_a, "A man with a hard hat is dancing.");
  // The last row's score is the integer "0" (2016 headlines), and its source columns hold URLs.
  EXPECT_EQ(dev.back().text_a, "New video shows US police officers beating mentally-ill man");
  EXPECT_DOUBLE_EQ(dev.back().score, 0.0);
  double sum = 0;
  for (const Example &e : dev)
    sum += e.score;
  EXPECT_NEAR(sum, 3545.8613333333, 1e-6); // awk printf "%.10f" of the sum of column 10
}

TEST(GlueRealFiles, QnliDev) {
  GRANITA_REQUIRE_DATA(glue_file("QNLI/dev.tsv"));
  const auto dev = read_glue_tsv(glue_file("QNLI/dev.tsv"), task_info("QNLI"));
  ASSERT_EQ(dev.size(), 5463u);
  EXPECT_EQ(dev[0].text_a, "What came into force after the new constitution was herald?");
  EXPECT_EQ(dev[0].text_b, "As of that day, the new constitution heralding the Second Republic "
                           "came into force.");
  EXPECT_EQ(dev[0].label, 0);
  // PROVENANCE.md: 2702 entailment, 2761 not_entailment.
  EXPECT_EQ(label_counts(dev), (std::map<int, int>{{0, 2702}, {1, 2761}}));
}

// ---- synthetic files ----------------------------------------------------------------------

std::vector<Example> read_text(const test::TempDir &dir, const std::string &task,
                               const std::string &bytes) {
  const auto p = dir.path() / "data.tsv";
  test::write_file(p, bytes);
  return read_glue_tsv(p, task_info(task));
}

std::string read_error(const std::string &task, const std::string &bytes) {
  test::TempDir dir;
  const auto p = dir.path() / "data.tsv";
  test::write_file(p, bytes);
  const std::string msg = test::input_error_message([&] { read_glue_tsv(p, task_info(task)); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
  return msg;
}

const std::string kRteHeader = "index\tsentence1\tsentence2\tlabel\n";

TEST(GlueSynthetic, ReorderedHeaderCrlfNoFinalNewline) {
  test::TempDir dir;
  const auto rows = read_text(dir, "RTE",
                              "label\tsentence2\tindex\tsentence1\r\n"
                              "entailment\tB one\t0\tA one\r\n"
                              "not_entailment\tB \"two\t1\tA two");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].text_a, "A one");
  EXPECT_EQ(rows[0].text_b, "B one");
  EXPECT_EQ(rows[0].label, 0);
  EXPECT_EQ(rows[1].text_b, "B \"two");
  EXPECT_EQ(rows[1].label, 1);
  EXPECT_EQ(rows[1].line, 3);
}

TEST(GlueSynthetic, TestSetsWithoutLabels) {
  test::TempDir dir;
  auto rows = read_text(dir, "RTE", "index\tsentence1\tsentence2\n0\ta\tb\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].label, -1);
  rows = read_text(dir, "CoLA", "index\tsentence\n0\tJohn left.\n1\tLeft John.\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].text_a, "Left John.");
  EXPECT_EQ(rows[1].label, -1);
}

TEST(GlueSynthetic, MnliLabelsAndColumns) {
  test::TempDir dir;
  const std::string header = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\t"
                             "sentence2_binary_parse\tsentence1_parse\tsentence2_parse\t"
                             "sentence1\tsentence2\tlabel1\tgold_label\n";
  const auto rows = read_text(dir, "MNLI",
                              header +
                                  "0\t1\t1e\tfiction\t(x)\t(y)\t(X)\t(Y)\tP0\tH0\tneutral\t"
                                  "neutral\n" +
                                  "1\t2\t2c\tfiction\t(x)\t(y)\t(X)\t(Y)\tP1\tH1\tneutral\t"
                                  "contradiction\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].text_a, "P0");
  EXPECT_EQ(rows[0].text_b, "H0");
  EXPECT_EQ(rows[0].label, 2); // contradiction 0, entailment 1, neutral 2
  EXPECT_EQ(rows[1].label, 0);
}

TEST(GlueSynthetic, MissingFile) {
  test::TempDir dir;
  const auto p = dir.path() / "nope.tsv";
  const std::string msg = test::input_error_message([&] { read_glue_tsv(p, task_info("RTE")); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
}

TEST(GlueSynthetic, EmptyFile) {
  EXPECT_NE(read_error("RTE", "").find("empty"), std::string::npos);
}

TEST(GlueSynthetic, WrongHeader) {
  const std::string msg = read_error("RTE", "idx\tsent1\tsent2\tlabel\n0\ta\tb\tentailment\n");
  EXPECT_NE(msg.find("data.tsv:1: header:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sentence1"), std::string::npos) << msg; // names what was expected
}

TEST(GlueSynthetic, TooFewColumnsOnLine3) {
  const std::string msg =
      read_error("RTE", kRteHeader + "0\ta\tb\tentailment\n1\tonly two\tcolumns\n");
  EXPECT_NE(msg.find("data.tsv:3:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected 4"), std::string::npos) << msg;
}

TEST(GlueSynthetic, BadLabelOnLine2) {
  std::string msg = read_error("RTE", kRteHeader + "0\ta\tb\tmaybe\n");
  EXPECT_NE(msg.find("data.tsv:2: label:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("maybe"), std::string::npos) << msg;
  // Out of range for a binary task.
  msg = read_error("SST-2", "sentence\tlabel\ngood\t2\n");
  EXPECT_NE(msg.find("data.tsv:2: label:"), std::string::npos) << msg;
  // CoLA has no header, so the column is named by position.
  msg = read_error("CoLA", "src\t1\t\tok\nsrc\tx\t\tbad\n");
  EXPECT_NE(msg.find("data.tsv:2: column 2:"), std::string::npos) << msg;
}

TEST(GlueSynthetic, BadScore) {
  const std::string header =
      "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
  std::string msg = read_error("STS-B", header + "0\tg\tf\ty\t0\tn\tn\ta\tb\t5.5\n");
  EXPECT_NE(msg.find("data.tsv:2: score:"), std::string::npos) << msg;
  msg = read_error("STS-B",
                   header + "0\tg\tf\ty\t0\tn\tn\ta\tb\t4.0\n1\tg\tf\ty\t0\tn\tn\ta\tb\tx\n");
  EXPECT_NE(msg.find("data.tsv:3: score:"), std::string::npos) << msg;
}

TEST(GlueSynthetic, InvalidUtf8) {
  const std::string msg = read_error("RTE", kRteHeader + "0\ta\tb\tentailment\n1\tab\xff\tb\t"
                                                         "entailment\n");
  // Line 3, the bad byte is the 5th of the line (0-based offset 4).
  EXPECT_NE(msg.find("data.tsv:3:5: invalid UTF-8 at byte 4"), std::string::npos) << msg;
}

} // namespace
} // namespace granita::glue
