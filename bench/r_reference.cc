#include "bench/r_reference.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/m3_data.h"
#include "common/hash.h"

namespace salesops::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string CacheKey(const RReferenceOptions& options, const RTask& task) {
  Sha256 h;
  h.Update(ReadAll(options.script));
  h.Update(absl::StrCat("\nmodel=", task.model, "\nsubset=", std::string(kM3Subsets[task.subset]),
                        "\nevery=", options.every, "\n"));
  const std::string dir = absl::StrCat(options.data_root, "/", std::string(kM3Subsets[task.subset]));
  for (const char* file : {"meta.csv", "train.csv", "test.csv"}) {
    h.Update(file);
    h.Update(ReadAll(absl::StrCat(dir, "/", file)));
  }
  return h.HexDigest();
}

// Reads timing.csv: model,subset,series,elapsed_seconds,cpu_seconds,failed,r_version,forecast_version
absl::Status ReadTiming(const std::string& path, RTaskResult* result) {
  std::ifstream in(path);
  std::string header, line;
  if (!in || !std::getline(in, header) || !std::getline(in, line)) {
    return absl::NotFoundError(absl::StrCat(path, ": missing or empty"));
  }
  auto fields = SplitCsvLine(line);
  if (fields.size() < 8) return absl::InvalidArgumentError(absl::StrCat(path, ": bad line"));
  result->seconds = std::strtod(fields[3].c_str(), nullptr);
  result->cpu_seconds = std::strtod(fields[4].c_str(), nullptr);
  result->versions = absl::StrCat("R ", fields[6], ", forecast ", fields[7]);
  return absl::OkStatus();
}

struct Running {
  size_t task = 0;
  pid_t pid = -1;
  Clock::time_point started;
  std::string tmp_dir;
  std::string final_dir;
};

pid_t Launch(const RReferenceOptions& options, const RTask& task, const std::string& out_dir) {
  std::vector<std::string> argv = {
      options.rscript, "--vanilla", options.script,
      "--data", absl::StrCat(options.data_root, "/", std::string(kM3Subsets[task.subset])),
      "--subset", std::string(kM3Subsets[task.subset]),
      "--model", task.model,
      "--every", std::to_string(options.every),
      "--out", out_dir};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: its own process group (so a timeout kills R and anything it started), dies with us.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  for (const char* var : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
    ::setenv(var, "1", 1);
  }
  std::vector<char*> cargs;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  ::execvp(cargs[0], cargs.data());
  std::fprintf(stderr, "r: cannot run %s\n", options.rscript.c_str());
  ::_exit(127);
}

}  // namespace

std::vector<RTaskResult> RunRReference(const RReferenceOptions& options,
                                       const std::vector<RTask>& tasks) {
  std::vector<RTaskResult> results(tasks.size());
  std::error_code ec;
  fs::create_directories(options.cache_dir, ec);
  std::vector<size_t> queue;
  std::vector<std::string> final_dirs(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    results[i].task = tasks[i];
    const std::string key = CacheKey(options, tasks[i]);
    final_dirs[i] = absl::StrCat(options.cache_dir, "/", tasks[i].model, "-",
                                 std::string(kM3Subsets[tasks[i].subset]), "-every",
                                 options.every, "-", key.substr(0, 16));
    const std::string forecasts = final_dirs[i] + "/forecasts.csv";
    if (!options.fresh && fs::exists(final_dirs[i] + "/timing.csv") && fs::exists(forecasts) &&
        ReadTiming(final_dirs[i] + "/timing.csv", &results[i]).ok()) {
      results[i].cached = true;
      results[i].forecasts_csv = forecasts;
      std::fprintf(stderr, "r: %s %s: cached (%s)\n", tasks[i].model.c_str(),
                   std::string(kM3Subsets[tasks[i].subset]).c_str(), final_dirs[i].c_str());
      continue;
    }
    queue.push_back(i);
  }

  std::vector<Running> running;
  size_t next = 0;
  const int jobs = std::max(1, options.jobs);
  while (next < queue.size() || !running.empty()) {
    while (next < queue.size() && static_cast<int>(running.size()) < jobs) {
      const size_t i = queue[next++];
      // Another benchmark may have cached this one meanwhile (R runs take long).
      if (!options.fresh && fs::exists(final_dirs[i] + "/forecasts.csv") &&
          ReadTiming(final_dirs[i] + "/timing.csv", &results[i]).ok()) {
        results[i].cached = true;
        results[i].forecasts_csv = final_dirs[i] + "/forecasts.csv";
        continue;
      }
      Running r;
      r.task = i;
      r.final_dir = final_dirs[i];
      r.tmp_dir = absl::StrCat(final_dirs[i], ".tmp-", ::getpid());
      fs::remove_all(r.tmp_dir, ec);
      fs::create_directories(r.tmp_dir, ec);
      std::fprintf(stderr, "r: running %s on %s (every %d)...\n", tasks[i].model.c_str(),
                   std::string(kM3Subsets[tasks[i].subset]).c_str(), options.every);
      r.pid = Launch(options, tasks[i], r.tmp_dir);
      r.started = Clock::now();
      if (r.pid < 0) {
        results[i].status = absl::InternalError("fork failed");
        continue;
      }
      running.push_back(r);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (auto it = running.begin(); it != running.end();) {
      RTaskResult& result = results[it->task];
      int status = 0;
      const pid_t done = ::waitpid(it->pid, &status, WNOHANG);
      if (done == 0) {
        const double elapsed =
            std::chrono::duration<double>(Clock::now() - it->started).count();
        if (options.timeout_seconds > 0 && elapsed > options.timeout_seconds) {
          ::kill(-it->pid, SIGKILL);
          ::kill(it->pid, SIGKILL);
          ::waitpid(it->pid, &status, 0);
          result.status = absl::DeadlineExceededError(
              absl::StrCat("R ", result.task.model, " timed out after ", options.timeout_seconds,
                           " s (raise --r-timeout)"));
          fs::remove_all(it->tmp_dir, ec);
          it = running.erase(it);
          continue;
        }
        ++it;
        continue;
      }
      if (done < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        result.status = absl::InternalError(absl::StrCat(
            "Rscript ", result.task.model, " ", std::string(kM3Subsets[result.task.subset]),
            " failed (exit status ", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
            "); is r-cran-forecast installed? (scripts/setup --bench)"));
        fs::remove_all(it->tmp_dir, ec);
      } else {
        fs::remove_all(it->final_dir, ec);
        fs::rename(it->tmp_dir, it->final_dir, ec);
        if (ec) {
          result.status = absl::InternalError(absl::StrCat("cannot store ", it->final_dir));
        } else {
          result.forecasts_csv = it->final_dir + "/forecasts.csv";
          result.status = ReadTiming(it->final_dir + "/timing.csv", &result);
        }
      }
      it = running.erase(it);
    }
  }
  return results;
}

}  // namespace salesops::bench
