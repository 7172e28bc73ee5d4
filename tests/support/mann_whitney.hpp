// A two-sided Mann-Whitney U test, for the timing tests: two latency distributions compared by
// rank, so the result does not depend on the machine's speed.
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace authd::test {

struct MannWhitney {
  double u = 0;  // U of the first sample
  double p = 1;  // two-sided
};

// Two-sided Mann-Whitney U test, normal approximation with continuity and tie corrections
// (adequate for samples of 20 or more each).
inline MannWhitney mann_whitney(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<std::pair<double, bool>> all;  // value, from x
  for (double v : x) all.emplace_back(v, true);
  for (double v : y) all.emplace_back(v, false);
  std::sort(all.begin(), all.end());
  const double n1 = static_cast<double>(x.size());
  const double n2 = static_cast<double>(y.size());
  const double n = n1 + n2;

  double rank_sum_x = 0;
  double tie_term = 0;  // sum of t^3 - t over groups of t tied values
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j + 1 < all.size() && all[j + 1].first == all[i].first) ++j;
    const double average_rank = (static_cast<double>(i + j) / 2) + 1;
    for (std::size_t k = i; k <= j; ++k) {
      if (all[k].second) rank_sum_x += average_rank;
    }
    const double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }

  MannWhitney result;
  result.u = rank_sum_x - n1 * (n1 + 1) / 2;
  const double mean = n1 * n2 / 2;
  const double variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (variance <= 0) return result;  // every value tied: no evidence of a difference
  const double z = std::max(0.0, std::abs(result.u - mean) - 0.5) / std::sqrt(variance);
  result.p = std::erfc(z / std::sqrt(2.0));
  return result;
}

}  // namespace authd::test
