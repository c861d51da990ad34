// SPDX-License-Identifier: Apache-2.0
// Simulator speed: the shipped SST-2 model on the default chip, one real SST-2 dev sentence per
// iteration (the SystemC model is elaborated once per process and reused).
#include "compiler/compile.h"
#include "sim/run/simulator.h"
#include "src/config/hw_config.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/model/sorbet_model.h"
#include "src/ref/sorbet_reference.h"
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/data_path.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

using namespace granita;

extern "C" int sc_main(int, char **) { return 2; }

namespace {

struct Fixture {
  model::SorbetModel model;
  config::HwConfig hw;
  mapping::Mapping mapping;
  std::vector<text::Encoding> sentences;
  std::unique_ptr<sim::Simulator> sim;
};

Fixture &fixture() {
  static Fixture *f = [] {
    auto *x = new Fixture;
    x->model = model::load_package(std::string(GRANITA_SOURCE_DIR) + "/models/sst2-sorbet");
    x->hw = config::load_hw_config(std::string(GRANITA_SOURCE_DIR) + "/configs/hw/default.yaml");
    x->mapping = *compiler::compile(x->model, x->hw).mapping;
    const text::Vocab vocab = text::Vocab::load(x->model.vocab_path);
    const text::WordpieceTokenizer tok(vocab);
    const auto &task = glue::task_info("SST-2");
    auto ex = glue::read_glue_tsv(data_root() / "glue" / "SST-2" / "dev.tsv", task);
    for (size_t i = 0; i < 16 && i < ex.size(); ++i)
      x->sentences.push_back(tok.encode(ex[i].text_a, std::nullopt, 64));
    x->sim = std::make_unique<sim::Simulator>(x->model, x->hw, x->mapping);
    return x;
  }();
  return *f;
}

void BM_RunSentence(benchmark::State &state) {
  Fixture &f = fixture();
  size_t i = 0;
  uint64_t cycles = 0, synops = 0, core_cycles = 0;
  for (auto _ : state) {
    const text::Encoding &e = f.sentences[i++ % f.sentences.size()];
    const sim::SentenceRun r = f.sim->run(e.ids, e.type_ids);
    cycles += r.cycles;
    core_cycles += r.cycles * uint64_t(f.sim->chip().cores_powered());
    for (const auto &c : r.task_events)
      synops += c.count(energy::Event::AccumulateSynop);
  }
  state.counters["sim_cycles/s"] = benchmark::Counter(double(cycles), benchmark::Counter::kIsRate);
  state.counters["core_cycles/s"] =
      benchmark::Counter(double(core_cycles), benchmark::Counter::kIsRate);
  state.counters["synops/s"] = benchmark::Counter(double(synops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RunSentence)->Unit(benchmark::kMillisecond);

void BM_ReferenceSentence(benchmark::State &state) {
  Fixture &f = fixture();
  const ref::Reference reference(f.model);
  size_t i = 0;
  for (auto _ : state) {
    const text::Encoding &e = f.sentences[i++ % f.sentences.size()];
    benchmark::DoNotOptimize(reference.run(e.ids, e.type_ids));
  }
}
BENCHMARK(BM_ReferenceSentence)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
