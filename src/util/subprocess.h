// SPDX-License-Identifier: Apache-2.0
#pragma once

// Child processes, in one place: programs started with their output redirected or captured
// (sbatch, squeue, the sweep's `granita run` children, the report script) and forked workers
// that run a function of this program (`granita run -j`, `granita noc --rates`). Every wait is
// EINTR-safe; a program that cannot be started is told apart from one that fails.

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace granita::proc {

/// Exit status 127 of the child: execv() itself failed (no such program or not executable).
constexpr int kNotStarted = 127;

/// How to start a program.
struct SpawnOptions {
  std::filesystem::path out;    // stdout to this file (truncated); empty: inherit
  std::filesystem::path err;    // stderr to this file (truncated); empty: inherit
  bool search_path = false;     // argv[0] looked up in PATH (execvp) instead of taken as a path
  bool die_with_parent = false; // SIGKILL the child when this process dies (no orphans)
};

/// Starts argv (argv[0] the program) and returns its pid without waiting.
pid_t spawn(const std::vector<std::string> &argv, const SpawnOptions &o = {});

/// Waits for `pid` and returns its raw waitpid status.
int wait_status(pid_t pid);

/// The exit code a status stands for: the child's exit code, or 128 + the signal that killed it.
int exit_code(int status);

/// Runs argv to its end; returns its exit code (kNotStarted when it could not be started).
int run(const std::vector<std::string> &argv, const SpawnOptions &o = {});

/// What a captured program printed.
struct Captured {
  int code = 0;     // exit code; -1 when the program could not be started
  std::string out;  // stdout
  std::string err;  // stderr
};

/// Runs a program found in PATH and captures its stdout and stderr (both expected small).
Captured capture(const std::vector<std::string> &argv);

/// Forks a worker that runs `work` and exits with its return value: an InputError exits 1, any
/// other exception 2, each after writing its message to `error_file` (if not empty). stdout and
/// stderr are flushed before the fork, so nothing buffered is printed twice.
pid_t fork_worker(const std::function<int()> &work, const std::filesystem::path &error_file = {});

/// A fresh folder under the system's temporary directory, removed with its contents when the
/// object goes away.
class TempDir {
public:
  explicit TempDir(const std::string &prefix);
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::filesystem::path &path() const { return path_; }

private:
  std::filesystem::path path_;
};

} // namespace granita::proc
