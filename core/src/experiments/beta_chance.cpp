// P(X > Y) for two Beta posteriors, by numerical integration.
//
// The closed form (Evan Miller's sum of Beta functions) needs as many terms
// as the smallest parameter, i.e. as many as the conversions: fine for a
// console with hundreds, not for an experiment with millions. Integration
// costs the same at every size. Densities are evaluated relative to their
// mean with log1p, so parameters of 10^15 keep full precision (the textbook
// (a-1)·log(x) loses it), and normalised numerically, so no lgamma.
#include <algorithm>
#include <cmath>
#include <vector>

#include "tagwise/experiment_report.h"

namespace tagwise {
namespace {

// Intervals of Simpson's rule over ±40 standard deviations (0.01 sd apart):
// where a density does not vanish at 0 or 1 (Beta(1, n)), 2000 left errors
// of 1e-8.
constexpr int kIntervals = 8000;
// A Beta(1, n) tail at k sd is about e^-(k+1): 40 sd leave < 1e-17 outside.
constexpr double kReach = 40;

struct Beta {
  Beta(double alpha, double beta) : a(alpha), b(beta), mean(a / (a + b)) {
    const double reach = kReach * std::sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
    low = std::max(0.0, mean - reach);
    high = std::min(1.0, mean + reach);
  }
  double a;
  double b;
  double mean;
  double low;   // the mean ± kReach standard deviations, within [0, 1]
  double high;
  // The density up to a constant factor, 1 at the mean.
  double Unnormalised(double x) const {
    double log_density = 0;
    // Skipped when the exponent is 0 (a or b = 1), where log(0) would give 0·-inf.
    if (a != 1) log_density += (a - 1) * std::log1p((x - mean) / mean);
    if (b != 1) log_density += (b - 1) * std::log1p((mean - x) / (1 - mean));
    return std::exp(log_density);
  }
  // ∫ Unnormalised over [low, to] by Simpson's rule; 0 for an empty range.
  double MassBelow(double to) const {
    to = std::min(to, high);
    if (!(to > low)) return 0;
    const double h = (to - low) / kIntervals;
    double sum = Unnormalised(low) + Unnormalised(to);
    for (int i = 1; i < kIntervals; ++i) sum += (i % 2 == 1 ? 4 : 2) * Unnormalised(low + i * h);
    return sum * h / 3;
  }
};

}  // namespace

double BetaChanceToBeat(double x_alpha, double x_beta, double y_alpha, double y_beta) {
  const Beta x{x_alpha, x_beta};
  const Beta y{y_alpha, y_beta};
  // Integrate over the narrower one (its grid is fine enough for the other's
  // CDF): P(X > Y) = ∫ f_Y(t) (1 - F_X(t)) dt or ∫ f_X(t) F_Y(t) dt.
  const bool over_x = x.high - x.low <= y.high - y.low;
  const Beta& narrow = over_x ? x : y;
  const Beta& wide = over_x ? y : x;
  const double from = narrow.low;
  const double h = (narrow.high - from) / kIntervals;
  const double wide_total = wide.MassBelow(1);
  // The wide one's mass below the grid, then accumulated interval by
  // interval (Simpson on each, with its midpoint) along the grid.
  double wide_below = wide.MassBelow(from);
  double weighted = 0;  // Simpson sum of f_narrow · F_wide
  double narrow_total = 0;
  for (int i = 0; i <= kIntervals; ++i) {
    const double t = from + i * h;
    if (i > 0) {
      const double s = t - h;
      wide_below += (wide.Unnormalised(s) + 4 * wide.Unnormalised(s + h / 2) + wide.Unnormalised(t)) * h / 6;
    }
    const double weight = (i == 0 || i == kIntervals) ? 1 : (i % 2 == 1 ? 4 : 2);
    const double density = narrow.Unnormalised(t);
    narrow_total += weight * density;
    weighted += weight * density * std::clamp(wide_below / wide_total, 0.0, 1.0);
  }
  const double narrow_under_wide = std::clamp(weighted / narrow_total, 0.0, 1.0);  // P(wide < narrow)
  return over_x ? narrow_under_wide : 1 - narrow_under_wide;
}

}  // namespace tagwise
