#include "bench/bench_support.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace salesops::bench {

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (pid <= 0 || !in || !std::getline(in, stat)) return -1;
  const size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  // Fields after the name: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime stime.
  std::istringstream rest(stat.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) rest >> skip;
  long utime = 0, stime = 0;
  rest >> utime >> stime;
  return static_cast<double>(utime + stime) / ::sysconf(_SC_CLK_TCK);
}

double ProcStatusMb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024;
  }
  return -1;
}

std::vector<std::vector<double>> SyntheticSalesSeries(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<std::vector<double>> all(count);
  for (std::vector<double>& y : all) {
    const int n = 24 + static_cast<int>(unit(rng) * 49);
    y.resize(n);
    const double level = std::exp(8 + 3 * unit(rng));
    const double growth = (unit(rng) - 0.3) * 0.02;
    const double season = 0.3 * unit(rng);
    const double noise = 0.05 + 0.25 * unit(rng);
    const bool sparse = unit(rng) < 0.2;
    const double p_sale = 0.1 + 0.4 * unit(rng);
    for (int t = 0; t < n; ++t) {
      const double quarter_end = (t % 3 == 2) ? 1 + season : 1 - season / 2;
      double v = level * std::pow(1 + growth, t) * quarter_end * std::exp(noise * normal(rng));
      if (sparse) v = unit(rng) < p_sale ? std::round(v / level * 3) * 1000 : 0;
      y[t] = std::max(0.0, std::round(v));
    }
  }
  return all;
}

}  // namespace salesops::bench
