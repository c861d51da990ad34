// SPDX-License-Identifier: Apache-2.0
// _granita: the C++ half of the `granita` Python package (python/granita/__init__.py wraps it).
// Every function takes and returns plain values (JSON text for reports); the Python half turns
// them into dicts and result objects.
//
// run() is `granita run` itself (cli::run_run, compiled in from sim/cli/cmd_run.cpp: the same
// input checks, simulation loop and report) in a forked child process, one per call. A SystemC
// kernel elaborates once per process, so the Python process never builds a chip and a user can
// call run() as often as they like in one session; with jobs > 1 the child forks its workers as
// `granita run -j N` does. The report comes back as the versioned run JSON
// (src/report/run_report.h), which keeps every raw count. compile(), eval() and reprice() need
// no SystemC and run in this process.
#include "compiler/compile.h"
#include "sim/cli/commands.h"
#include "src/config/hw_config.h"
#include "src/energy/energy_table.h"
#include "src/energy/event_registry.h"
#include "src/eval/evaluate.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"
#include "src/report/run_report.h"
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/data_path.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/subprocess.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace granita::python {

namespace {

/// A loaded model package with its tokenizer. Contract: immutable once built; the tokenizer
/// refers to `vocab`, so the object is never copied or moved (held by shared_ptr).
struct LoadedModel {
  model::SorbetModel model;
  text::Vocab vocab;
  text::WordpieceTokenizer tokenizer;

  explicit LoadedModel(const std::string &dir)
      : model(model::load_package(dir)), vocab(text::Vocab::load(model.vocab_path)),
        tokenizer(vocab) {}
  LoadedModel(const LoadedModel &) = delete;
  LoadedModel &operator=(const LoadedModel &) = delete;
};

/// A hardware config as loaded (preset name or path, with the overrides applied).
struct Hw {
  config::HwConfig config;
  std::string path;                   // the resolved file
  std::vector<std::string> overrides; // "key.path=value"
};

/// A mapping, compiled or read from a file.
struct PyMapping {
  mapping::Mapping mapping;
};

/// What a run or an eval works on: texts (a, optional b) or the first `limit` rows of a TSV.
/// `data` empty and no texts: the task's GLUE dev set under GRANITA_DATA (as the CLI does).
std::vector<glue::Example> make_examples(
    const LoadedModel &lm, const std::optional<std::vector<std::pair<std::string, std::string>>>
                               &texts,
    const std::string &data, int limit) {
  const glue::TaskInfo &task = glue::task_info(lm.model.task);
  std::vector<glue::Example> examples;
  if (texts) {
    if (!data.empty())
      throw InputError({}, "data", "give either texts or data, not both");
    if (texts->empty())
      throw InputError({}, "texts", "the list of texts is empty");
    for (size_t i = 0; i < texts->size(); ++i) {
      const auto &[a, b] = (*texts)[i];
      const std::string where = "texts[" + std::to_string(i) + "]";
      if (a.empty())
        throw InputError({}, where, "the sentence is empty");
      if (task.pair && b.empty())
        throw InputError({}, where,
                         task.name + " is a sentence-pair task: give (sentence_a, sentence_b)");
      if (!task.pair && !b.empty())
        throw InputError({}, where, task.name + " takes single sentences, not pairs");
      glue::Example ex;
      ex.text_a = a;
      if (!b.empty())
        ex.text_b = b;
      examples.push_back(std::move(ex));
    }
    if (limit > 0 && size_t(limit) < examples.size())
      examples.resize(size_t(limit));
    return examples;
  }
  if (limit < 0)
    throw InputError({}, "limit", "expected 0 (all) or a positive count, got " +
                                      std::to_string(limit));
  const std::filesystem::path path =
      data.empty() ? data_root() / "glue" / task.name / "dev.tsv" : std::filesystem::path(data);
  examples = glue::read_glue_tsv(path, task);
  if (limit > 0 && size_t(limit) < examples.size())
    examples.resize(size_t(limit));
  if (examples.empty())
    throw InputError({path.string()}, "", "no sentences to run");
  return examples;
}

/// The GLUE TSV header of `task` (the layout of src/glue/tsv_reader.cpp), unlabelled: the
/// columns of the first and, for pair tasks, second sentence.
std::string tsv_header(const glue::TaskInfo &task) {
  const std::string &n = task.name;
  if (n == "CoLA")
    return "index\tsentence"; // the CoLA test layout, the one CoLA file with a header
  if (n == "SST-2")
    return "sentence";
  if (n == "MRPC")
    return "#1 String\t#2 String";
  if (n == "QQP")
    return "question1\tquestion2";
  if (n == "QNLI")
    return "question\tsentence";
  return "sentence1\tsentence2"; // STS-B, MNLI, RTE, WNLI
}

/// Tabs and line breaks cannot appear in a TSV field; to the tokenizer they are whitespace
/// like a space, so replacing them changes no token.
std::string tsv_field(std::string s) {
  for (char &ch : s)
    if (ch == '\t' || ch == '\n' || ch == '\r')
      ch = ' ';
  return s;
}

/// Writes `texts` as an unlabelled GLUE TSV of `task`, after checking them.
void write_texts_tsv(const std::filesystem::path &file, const glue::TaskInfo &task,
                     const std::vector<std::pair<std::string, std::string>> &texts) {
  if (texts.empty())
    throw InputError({}, "texts", "the list of texts is empty");
  std::string tsv = tsv_header(task) + "\n";
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto &[a, b] = texts[i];
    const std::string where = "texts[" + std::to_string(i) + "]";
    if (a.empty())
      throw InputError({}, where, "the sentence is empty");
    if (task.pair && b.empty())
      throw InputError({}, where,
                       task.name + " is a sentence-pair task: give (sentence_a, sentence_b)");
    if (!task.pair && !b.empty())
      throw InputError({}, where, task.name + " takes single sentences, not pairs");
    tsv += task.name == "CoLA" ? std::to_string(i) + "\t" + tsv_field(a) : tsv_field(a);
    if (task.pair)
      tsv += "\t" + tsv_field(b);
    tsv += "\n";
  }
  write_file_atomic(file, tsv);
}

/// `granita run` (cli::run_run) in a forked child process; its JSON report as text. The child's
/// stdout (the CLI's table) is discarded; its stderr (warnings, the progress bar on a terminal)
/// is the user's. Called with the GIL held; releases it while the child runs. The child leads
/// its own process group (its -j workers join it), so a Ctrl-C in Python kills the whole group
/// and raises KeyboardInterrupt.
std::string run_cli_forked(cli::RunOptions o, const proc::TempDir &tmp) {
  namespace fs = std::filesystem;
  const fs::path json = tmp.path() / "run.json", error = tmp.path() / "error";
  o.json_out = json.string();
  o.quiet = true;
  const pid_t pid = proc::fork_worker(
      [&o] {
        ::setpgid(0, 0);
        if (std::FILE *null = std::freopen("/dev/null", "w", stdout); !null)
          throw std::runtime_error("cannot open /dev/null");
        return cli::run_run(o);
      },
      error);
  int status = 0;
  {
    py::gil_scoped_release release;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR)
        throw std::runtime_error("lost the simulation process");
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        throw py::error_already_set();
      }
    }
  }
  const std::string message = fs::exists(error) ? read_file(error) : "";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return read_file(json);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
    throw InputError(message);
  if (!message.empty())
    throw std::runtime_error(message);
  throw std::runtime_error(
      "the simulation process died (" +
      (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                           : "exit code " + std::to_string(WEXITSTATUS(status))) +
      ")");
}

std::string run(const LoadedModel &lm, const Hw &hw, const PyMapping *mp,
                const std::string &energy_name,
                const std::optional<std::vector<std::pair<std::string, std::string>>> &texts,
                const std::string &data, int limit, bool check, uint64_t watchdog_cycles,
                int jobs) {
  if (jobs < 1)
    throw InputError({}, "jobs", "expected a positive count, got " + std::to_string(jobs));
  if (limit < 0)
    throw InputError({}, "limit", "expected 0 (all) or a positive count, got " +
                                      std::to_string(limit));
  proc::TempDir tmp("granita-py");
  cli::RunOptions o;
  o.model_dir = lm.model.dir.string();
  o.hw = hw.path;
  o.hw_params = hw.overrides;
  o.energy = energy_name;
  o.limit = limit;
  o.no_check = !check;
  o.watchdog_cycles = watchdog_cycles;
  o.jobs = jobs;
  if (texts) {
    if (!data.empty())
      throw InputError({}, "data", "give either texts or data, not both");
    o.data = (tmp.path() / "texts.tsv").string();
    write_texts_tsv(o.data, glue::task_info(lm.model.task), *texts);
  } else {
    o.data = data;
  }
  if (mp) {
    o.mapping = (tmp.path() / "mapping.yaml").string();
    write_file_atomic(o.mapping, mapping::to_yaml(mp->mapping));
  }
  return run_cli_forked(std::move(o), tmp);
}

std::string evaluate(const LoadedModel &lm,
                     const std::optional<std::vector<std::pair<std::string, std::string>>> &texts,
                     const std::string &data, int limit, int threads) {
  if (threads < 0)
    throw InputError({}, "threads", "expected 0 (all cores) or a positive count");
  const glue::TaskInfo &task = glue::task_info(lm.model.task);
  const std::vector<glue::Example> examples = make_examples(lm, texts, data, limit);
  const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  py::gil_scoped_release release;
  const eval::EvalReport rep = eval::evaluate(lm.model, lm.tokenizer, task, examples, n);
  return rep.to_json().dump();
}

std::string reprice(const std::string &run_json, const std::string &file,
                    const std::string &energy_name) {
  const nlohmann::json j = [&] {
    try {
      return nlohmann::json::parse(run_json);
    } catch (const nlohmann::json::parse_error &e) {
      throw InputError({file}, "", std::string("not JSON: ") + e.what());
    }
  }();
  const report::RunReport rep = report::RunReport::from_json(j, file);
  const energy::EventRegistry registry = energy::build_event_registry();
  const energy::EnergyTable table = energy::EnergyTable::load(
      energy::resolve_energy_table(energy_name, energy::default_configs_dir()), registry);
  return rep.to_json(table).dump();
}

} // namespace

} // namespace granita::python

// libsystemc references sc_main, and resolves it in the module that loads it (exported despite
// the module's hidden visibility). The chip is driven by run_run, never through sc_main.
extern "C" __attribute__((visibility("default"))) int sc_main(int, char **) { return 2; }

PYBIND11_MODULE(_granita, mod) {
  using namespace granita;
  using namespace granita::python;
  mod.doc() = "Granita's C++ core; use the `granita` package, which wraps this module.";

  // Bad user input: granita.InputError, a ValueError, with Granita's one-line message. Other
  // C++ exceptions (Granita bugs) become RuntimeError through pybind11's default translation.
  py::register_exception<InputError>(mod, "InputError", PyExc_ValueError);

  py::class_<LoadedModel, std::shared_ptr<LoadedModel>>(mod, "Model")
      .def(py::init<const std::string &>(), py::arg("path"))
      .def_property_readonly("path", [](const LoadedModel &m) { return m.model.dir.string(); })
      .def_property_readonly("name", [](const LoadedModel &m) { return m.model.name; })
      .def_property_readonly("task", [](const LoadedModel &m) { return m.model.task; })
      .def_property_readonly("labels", [](const LoadedModel &m) { return m.model.labels; })
      .def_property_readonly("profile",
                             [](const LoadedModel &m) {
                               return m.model.profile == model::Profile::Official ? "official"
                                                                                  : "hardware";
                             })
      .def_property_readonly("num_ops", [](const LoadedModel &m) { return m.model.ops.size(); })
      .def_property_readonly("arch", [](const LoadedModel &m) {
        const model::Arch &a = m.model.arch;
        py::dict d;
        d["layers"] = a.layers;
        d["hidden"] = a.hidden;
        d["heads"] = a.heads;
        d["ffn"] = a.ffn;
        d["max_seq_len"] = a.max_seq_len;
        d["vocab_size"] = a.vocab_size;
        d["type_vocab_size"] = a.type_vocab_size;
        d["bits"] = a.bits;
        d["time_steps"] = a.time_steps;
        return d;
      });

  py::class_<Hw>(mod, "HwConfig")
      .def(py::init([](const std::string &name_or_path, const std::vector<std::string> &overrides) {
             const std::string path =
                 config::resolve_hw_config(name_or_path, energy::default_configs_dir()).string();
             return Hw{config::load_hw_config(path, overrides), path, overrides};
           }),
           py::arg("name_or_path"), py::arg("overrides") = std::vector<std::string>{})
      .def_property_readonly("name", [](const Hw &h) { return h.config.name; })
      .def_property_readonly("mesh_x", [](const Hw &h) { return h.config.mesh_x; })
      .def_property_readonly("mesh_y", [](const Hw &h) { return h.config.mesh_y; })
      .def_property_readonly("cores", [](const Hw &h) { return h.config.cores(); })
      .def_property_readonly("clock_mhz", [](const Hw &h) { return h.config.clock_mhz; })
      .def_property_readonly("tick_hz", // None for a chip without a real-time tick
                             [](const Hw &h) {
                               return h.config.tick_hz > 0 ? std::optional<int>(h.config.tick_hz)
                                                           : std::nullopt;
                             })
      .def_property_readonly("crossbar_rows", [](const Hw &h) { return h.config.crossbar_rows; })
      .def_property_readonly("crossbar_cols", [](const Hw &h) { return h.config.crossbar_cols; })
      .def_property_readonly("crossbars_per_core",
                             [](const Hw &h) { return h.config.crossbars_per_core; })
      .def_property_readonly("routing", [](const Hw &h) { return h.config.routing; })
      .def_property_readonly("encoding", [](const Hw &h) { return h.config.encoding; })
      .def_property_readonly("placement", [](const Hw &h) { return h.config.placement; })
      .def_property_readonly("energy_table", [](const Hw &h) { return h.config.energy_table; });

  py::class_<PyMapping>(mod, "Mapping")
      .def_static(
          "load",
          [](const std::filesystem::path &path) { return PyMapping{mapping::load_mapping(path)}; },
          py::arg("path"))
      .def("to_yaml", [](const PyMapping &m) { return mapping::to_yaml(m.mapping); })
      .def(
          "save",
          [](const PyMapping &m, const std::filesystem::path &path) {
            write_file_atomic(path, mapping::to_yaml(m.mapping));
          },
          py::arg("path"))
      .def_property_readonly("num_tasks", [](const PyMapping &m) { return m.mapping.tasks.size(); });

  mod.def(
      "compile",
      [](const LoadedModel &lm, const Hw &hw) {
        compiler::CompileResult cr;
        {
          py::gil_scoped_release release;
          cr = compiler::compile(lm.model, hw.config);
        }
        if (!cr.mapping) {
          std::string text = compiler::format_diagnostics(cr.diagnostics);
          while (!text.empty() && text.back() == '\n')
            text.pop_back();
          throw InputError("compilation failed:\n" + text);
        }
        return PyMapping{std::move(*cr.mapping)};
      },
      py::arg("model"), py::arg("hw"));
  mod.def("run", &run, py::arg("model"), py::arg("hw"), py::arg("mapping"), py::arg("energy"),
          py::arg("texts"), py::arg("data"), py::arg("limit"), py::arg("check"),
          py::arg("watchdog_cycles"), py::arg("jobs"));
  mod.def("eval", &evaluate, py::arg("model"), py::arg("texts"), py::arg("data"),
          py::arg("limit"), py::arg("threads"));
  mod.def("reprice", &reprice, py::arg("run_json"), py::arg("file"), py::arg("energy"));
  mod.def("data_root", [] { return data_root().string(); });
  mod.def("configs_dir", [] { return energy::default_configs_dir().string(); });
}
