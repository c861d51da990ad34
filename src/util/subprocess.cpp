// SPDX-License-Identifier: Apache-2.0
#include "src/util/subprocess.h"

#include "src/util/error.h"
#include "src/util/file_io.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace granita::proc {

namespace fs = std::filesystem;

namespace {

std::vector<char *> c_argv(const std::vector<std::string> &argv) {
  std::vector<char *> v;
  for (const std::string &a : argv)
    v.push_back(const_cast<char *>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

void flush_all() {
  std::fflush(stdout);
  std::fflush(stderr);
}

/// In the child: open `path` for writing and put it on `fd`; false when it cannot.
bool redirect(const std::string &path, int fd) {
  if (path.empty())
    return true;
  const int f = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  return f >= 0 && ::dup2(f, fd) >= 0;
}

} // namespace

pid_t spawn(const std::vector<std::string> &argv, const SpawnOptions &o) {
  if (argv.empty())
    throw InputError("cannot start a program: empty command");
  std::vector<char *> cargv = c_argv(argv);
  const std::string out = o.out.string(), err = o.err.string();
  const pid_t parent = ::getpid();
  flush_all();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw InputError("cannot start " + argv[0] + " (fork failed)");
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    if (o.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(126);
    }
    if (!redirect(out, 1) || !redirect(err, 2))
      ::_exit(126);
    if (o.search_path)
      ::execvp(cargv[0], cargv.data());
    else
      ::execv(cargv[0], cargv.data());
    ::_exit(kNotStarted);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw InputError("lost child process " + std::to_string(pid));
  return status;
}

int exit_code(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return 2;
}

int run(const std::vector<std::string> &argv, const SpawnOptions &o) {
  return exit_code(wait_status(spawn(argv, o)));
}

Captured capture(const std::vector<std::string> &argv) {
  if (argv.empty())
    throw InputError("cannot start a program: empty command");
  std::vector<char *> cargv = c_argv(argv);
  int out_fd[2], err_fd[2];
  if (::pipe2(out_fd, O_CLOEXEC) != 0)
    throw InputError("cannot create a pipe to run " + argv[0]);
  if (::pipe2(err_fd, O_CLOEXEC) != 0) {
    ::close(out_fd[0]);
    ::close(out_fd[1]);
    throw InputError("cannot create a pipe to run " + argv[0]);
  }
  flush_all();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw InputError("cannot start " + argv[0] + " (fork failed)");
  if (pid == 0) {
    if (::dup2(out_fd[1], 1) < 0 || ::dup2(err_fd[1], 2) < 0)
      ::_exit(126);
    ::execvp(cargv[0], cargv.data());
    ::_exit(kNotStarted);
  }
  ::close(out_fd[1]);
  ::close(err_fd[1]);
  Captured c;
  pollfd fds[2] = {{out_fd[0], POLLIN, 0}, {err_fd[0], POLLIN, 0}};
  std::string *sinks[2] = {&c.out, &c.err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      const ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[k]->append(buf, size_t(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd &f : fds)
    if (f.fd >= 0)
      ::close(f.fd);
  c.code = exit_code(wait_status(pid));
  if (c.code == kNotStarted)
    c.code = -1;
  return c;
}

pid_t fork_worker(const std::function<int()> &work, const fs::path &error_file) {
  flush_all();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw InputError("cannot start a worker process (fork failed)");
  if (pid != 0)
    return pid;
  int code = 0;
  auto report = [&](const char *what) {
    try {
      if (!error_file.empty()) {
        write_file_atomic(error_file, what);
        return;
      }
    } catch (...) {
      // the message still reaches stderr below
    }
    std::fprintf(stderr, "granita: %s\n", what);
  };
  try {
    code = work();
  } catch (const InputError &e) {
    report(e.what());
    code = 1;
  } catch (const std::exception &e) {
    report(e.what());
    code = 2;
  } catch (...) {
    code = 2;
  }
  flush_all();
  ::_exit(code);
}

TempDir::TempDir(const std::string &prefix) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec)
    base = "/tmp";
  std::string tmpl = (base / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data()))
    throw InputError({base.string()}, "", "cannot create a temporary folder");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

} // namespace granita::proc
