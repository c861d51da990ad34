// SPDX-License-Identifier: Apache-2.0
#include "sweep/result_store.h"

#include "src/util/error.h"
#include "src/util/strings.h"
#include "src/util/file_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

namespace granita::sweep {

namespace {

std::string json_scalar(const nlohmann::json &v) {
  if (v.is_null())
    return "";
  if (v.is_string())
    return v.get<std::string>();
  return v.dump();
}

std::string errno_text() { return std::strerror(errno); }

} // namespace

StoreContents parse_store(const std::string &text, const std::string &file) {
  StoreContents c;
  const size_t last_nl = text.rfind('\n');
  c.complete_bytes = last_nl == std::string::npos ? 0 : last_nl + 1;
  c.partial_bytes = text.size() - c.complete_bytes;
  size_t line_no = 0;
  for (size_t pos = 0; pos < c.complete_bytes;) {
    const size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty())
      continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("hash") || !j["hash"].is_string()) {
      c.warnings.push_back(file + ":" + std::to_string(line_no) +
                           ": not a result row (JSON object with a hash); ignored");
      continue;
    }
    c.rows.push_back(std::move(j));
  }
  if (c.partial_bytes)
    c.warnings.push_back(file + ":" + std::to_string(line_no + 1) + ": partial last line (" +
                         std::to_string(c.partial_bytes) +
                         " bytes, an interrupted write) dropped; that point runs again");
  return c;
}

std::vector<nlohmann::json> latest_rows(const std::vector<nlohmann::json> &rows) {
  std::vector<nlohmann::json> out;
  std::map<std::string, size_t> where;
  for (const nlohmann::json &r : rows) {
    const std::string h = r["hash"].get<std::string>();
    auto it = where.find(h);
    if (it == where.end()) {
      where[h] = out.size();
      out.push_back(r);
    } else {
      out[it->second] = r;
    }
  }
  return out;
}

ResultStore::ResultStore(std::filesystem::path path) : m_path(std::move(path)) {
  m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (m_fd < 0)
    throw InputError({m_path.string()}, "", "cannot open the result store: " + errno_text());
  // One writer at a time: a local sweep, a Slurm --collect and a resubmission may meet on one
  // folder. The lock goes with the descriptor, so a killed writer releases it.
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(m_fd);
    m_fd = -1;
    if (err == EWOULDBLOCK)
      throw InputError({m_path.string()}, "",
                       "the result store is in use by another granita sweep or --collect on "
                       "this folder; wait for it to finish");
    errno = err;
    throw InputError({m_path.string()}, "", "cannot lock the result store: " + errno_text());
  }
  try {
    m_contents = parse_store(read_file(m_path), m_path.string());
    if (m_contents.partial_bytes && ::ftruncate(m_fd, off_t(m_contents.complete_bytes)) != 0)
      throw InputError({m_path.string()}, "",
                       "cannot cut the partial last line: " + errno_text());
  } catch (...) {
    ::close(m_fd); // the destructor does not run for a throwing constructor
    m_fd = -1;
    throw;
  }
}

ResultStore::~ResultStore() {
  if (m_fd >= 0)
    ::close(m_fd);
}

void ResultStore::append(const nlohmann::json &row) {
  const std::string line = row.dump() + "\n";
  // One write() for the whole line: with O_APPEND the line lands in one piece unless the
  // process dies mid-call, which leaves a partial last line that loading drops.
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(m_fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw InputError({m_path.string()}, "", "cannot append a result: " + errno_text());
    done += size_t(n);
  }
  if (::fsync(m_fd) != 0)
    throw InputError({m_path.string()}, "", "cannot fsync the result store: " + errno_text());
  m_contents.rows.push_back(row);
}

std::string rows_to_csv(const std::vector<nlohmann::json> &rows,
                        const std::vector<std::string> &axis_keys) {
  std::set<std::string> metric_set, comp_set;
  for (const nlohmann::json &r : rows) {
    if (r.contains("metrics") && r["metrics"].is_object())
      for (auto it = r["metrics"].begin(); it != r["metrics"].end(); ++it)
        metric_set.insert(it.key());
    if (r.contains("energy_pj_by_component") && r["energy_pj_by_component"].is_object())
      for (auto it = r["energy_pj_by_component"].begin(); it != r["energy_pj_by_component"].end();
           ++it)
        comp_set.insert(it.key());
  }
  static const std::vector<std::string> kScalars = {
      "cycles_mean", "cycles_p50",    "cycles_p99", "latency_us_mean", "energy_pj_per_sentence",
      "area_mm2",    "core_area_mm2", "power_mw",   "cores_powered",   "sentences",
      "wall_s"};
  std::ostringstream os;
  os << "hash,index,status,model";
  for (const std::string &k : axis_keys)
    if (k != "model")
      os << "," << csv_field(k);
  for (const std::string &m : metric_set)
    os << "," << csv_field(m);
  for (const std::string &s : kScalars)
    os << "," << s;
  for (const std::string &c : comp_set)
    os << ",energy_pj." << csv_field(c);
  os << ",error\n";
  for (const nlohmann::json &r : rows) {
    auto get = [&](const std::string &k) {
      return r.contains(k) ? json_scalar(r[k]) : std::string();
    };
    auto sub = [&](const char *group, const std::string &k) {
      return r.contains(group) && r[group].is_object() && r[group].contains(k)
                 ? json_scalar(r[group][k])
                 : std::string();
    };
    os << csv_field(get("hash")) << "," << get("index") << "," << csv_field(get("status")) << ","
       << csv_field(get("model"));
    for (const std::string &k : axis_keys)
      if (k != "model")
        os << "," << csv_field(sub("axes", k));
    for (const std::string &m : metric_set)
      os << "," << sub("metrics", m);
    for (const std::string &s : kScalars)
      os << "," << get(s);
    for (const std::string &c : comp_set)
      os << "," << sub("energy_pj_by_component", c);
    os << "," << csv_field(get("error")) << "\n";
  }
  return os.str();
}

} // namespace granita::sweep
