#include "services/forecasting/engine/arima_stl.h"

#include <algorithm>
#include <cmath>

namespace salesops::forecast::arima {
namespace {

// The Fortran works with 1-based arrays; this view keeps its indexing so the port reads like it.
struct Vec1 {
  double* p;
  double& operator()(int i) const { return p[i - 1]; }
  Vec1 at(int i) const { return Vec1{p + i - 1}; }  // the array starting at element i
};

// The Fortran's single-precision literals .999 and .001, widened as the compiler widens them.
const double k999 = static_cast<double>(0.999f);
const double k001 = static_cast<double>(0.001f);

// Local weighted (degree 0 or 1) regression of y at abscissa xs over points nleft..nright.
void Est(Vec1 y, int n, int len, int ideg, double xs, double* ys, int nleft, int nright, Vec1 w,
         bool userw, Vec1 rw, bool* ok) {
  const double range = static_cast<double>(n) - 1.0;
  double h = std::max(xs - nleft, static_cast<double>(nright) - xs);
  if (len > n) h += static_cast<double>((len - n) / 2);
  const double h9 = k999 * h;
  const double h1 = k001 * h;
  double a = 0;
  for (int j = nleft; j <= nright; ++j) {
    const double r = std::abs(static_cast<double>(j) - xs);
    if (r <= h9) {
      if (r <= h1) {
        w(j) = 1.0;
      } else {
        const double u = r / h;
        const double c = 1.0 - u * u * u;
        w(j) = c * c * c;
      }
      if (userw) w(j) = rw(j) * w(j);
      a += w(j);
    } else {
      w(j) = 0;
    }
  }
  if (a <= 0) {
    *ok = false;
    return;
  }
  *ok = true;
  for (int j = nleft; j <= nright; ++j) w(j) /= a;
  if (h > 0 && ideg > 0) {
    a = 0;
    for (int j = nleft; j <= nright; ++j) a += w(j) * j;
    double b = xs - a;
    double c = 0;
    for (int j = nleft; j <= nright; ++j) c += w(j) * (j - a) * (j - a);
    if (std::sqrt(c) > k001 * range) {
      b /= c;
      for (int j = nleft; j <= nright; ++j) w(j) = w(j) * (b * (j - a) + 1.0);
    }
  }
  double s = 0;
  for (int j = nleft; j <= nright; ++j) s += w(j) * y(j);
  *ys = s;
}

// Loess smoothing of y (length n) at every njump-th point, linearly interpolated between.
void Ess(Vec1 y, int n, int len, int ideg, int njump, bool userw, Vec1 rw, Vec1 ys, Vec1 res) {
  if (n < 2) {
    ys(1) = y(1);
    return;
  }
  const int newnj = std::min(njump, n - 1);
  int nleft = 0, nright = 0;
  bool ok = false;
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (int i = 1; i <= n; i += newnj) {
      Est(y, n, len, ideg, i, &ys(i), nleft, nright, res, userw, rw, &ok);
      if (!ok) ys(i) = y(i);
    }
  } else if (newnj == 1) {
    const int nsh = (len + 1) / 2;
    nleft = 1;
    nright = len;
    for (int i = 1; i <= n; ++i) {
      if (i > nsh && nright != n) {
        ++nleft;
        ++nright;
      }
      Est(y, n, len, ideg, i, &ys(i), nleft, nright, res, userw, rw, &ok);
      if (!ok) ys(i) = y(i);
    }
  } else {
    const int nsh = (len + 1) / 2;
    for (int i = 1; i <= n; i += newnj) {
      if (i < nsh) {
        nleft = 1;
        nright = len;
      } else if (i >= n - nsh + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - nsh + 1;
        nright = len + i - nsh;
      }
      Est(y, n, len, ideg, i, &ys(i), nleft, nright, res, userw, rw, &ok);
      if (!ok) ys(i) = y(i);
    }
  }
  if (newnj != 1) {
    for (int i = 1; i <= n - newnj; i += newnj) {
      const double delta = (ys(i + newnj) - ys(i)) / newnj;
      for (int j = i + 1; j <= i + newnj - 1; ++j) ys(j) = ys(i) + delta * (j - i);
    }
    const int k = ((n - 1) / newnj) * newnj + 1;
    if (k != n) {
      Est(y, n, len, ideg, n, &ys(n), nleft, nright, res, userw, rw, &ok);
      if (!ok) ys(n) = y(n);
      if (k != n - 1) {
        const double delta = (ys(n) - ys(k)) / (n - k);
        for (int j = k + 1; j <= n - 1; ++j) ys(j) = ys(k) + delta * (j - k);
      }
    }
  }
}

// Running mean of length len: ave(1..n-len+1).
void Ma(Vec1 x, int n, int len, Vec1 ave) {
  const int newn = n - len + 1;
  const double flen = len;
  double v = 0;
  for (int i = 1; i <= len; ++i) v += x(i);
  ave(1) = v / flen;
  int k = len, m = 0;
  for (int j = 2; j <= newn; ++j) {
    ++k;
    ++m;
    v = v - x(m) + x(k);
    ave(j) = v / flen;
  }
}

void Fts(Vec1 x, int n, int np, Vec1 trend, Vec1 work) {
  Ma(x, n, np, trend);
  Ma(trend, n - np + 1, np, work);
  Ma(work, n - 2 * np + 2, 3, trend);
}

// Seasonal smoothing: each cycle-subseries smoothed and extended one period either side.
void Ss(Vec1 y, int n, int np, int ns, int isdeg, int nsjump, bool userw, Vec1 rw, Vec1 season,
        Vec1 work1, Vec1 work2, Vec1 work3, Vec1 work4) {
  for (int j = 1; j <= np; ++j) {
    const int k = (n - j) / np + 1;
    for (int i = 1; i <= k; ++i) work1(i) = y((i - 1) * np + j);
    if (userw) {
      for (int i = 1; i <= k; ++i) work3(i) = rw((i - 1) * np + j);
    }
    Ess(work1, k, ns, isdeg, nsjump, userw, work3, work2.at(2), work4);
    bool ok = false;
    const int nright = std::min(ns, k);
    Est(work1, k, ns, isdeg, 0.0, &work2(1), 1, nright, work4, userw, work3, &ok);
    if (!ok) work2(1) = work2(2);
    const int nleft = std::max(1, k - ns + 1);
    Est(work1, k, ns, isdeg, k + 1.0, &work2(k + 2), nleft, k, work4, userw, work3, &ok);
    if (!ok) work2(k + 2) = work2(k + 1);
    for (int m = 1; m <= k + 2; ++m) season((m - 1) * np + j) = work2(m);
  }
}

}  // namespace

StlDecomposition Stl(std::span<const double> x, int period, int s_window) {
  StlDecomposition out;
  const int n = static_cast<int>(x.size());
  if (period < 2 || n <= 2 * period) return out;
  auto nextodd = [](double v) {
    int r = static_cast<int>(std::lround(v));
    if (r % 2 == 0) ++r;
    return r;
  };
  int ns = s_window;
  int nt = nextodd(std::ceil(1.5 * period / (1.0 - 1.5 / s_window)));
  int nl = nextodd(period);
  const int isdeg = 0, itdeg = 1, ildeg = 1;
  const int nsjump = static_cast<int>(std::ceil(ns / 10.0));
  const int ntjump = static_cast<int>(std::ceil(nt / 10.0));
  const int nljump = static_cast<int>(std::ceil(nl / 10.0));
  // stl(): spans at least 3 and odd, period at least 2.
  ns = std::max(3, ns);
  nt = std::max(3, nt);
  nl = std::max(3, nl);
  if (ns % 2 == 0) ++ns;
  if (nt % 2 == 0) ++nt;
  if (nl % 2 == 0) ++nl;
  const int np = std::max(2, period);

  std::vector<double> y(x.begin(), x.end()), rw(n, 1.0), season(n, 0.0), trend(n, 0.0);
  const int rows = n + 2 * np;
  std::vector<double> work(static_cast<std::size_t>(rows) * 5, 0.0);
  Vec1 Y{y.data()}, RW{rw.data()}, S{season.data()}, T{trend.data()};
  Vec1 w1{work.data()}, w2{work.data() + rows}, w3{work.data() + 2 * rows},
      w4{work.data() + 3 * rows}, w5{work.data() + 4 * rows};
  const bool userw = false;
  for (int iter = 0; iter < 2; ++iter) {  // stlstp with ni = 2 inner iterations
    for (int i = 1; i <= n; ++i) w1(i) = Y(i) - T(i);
    Ss(w1, n, np, ns, isdeg, nsjump, userw, RW, w2, w3, w4, w5, S);
    Fts(w2, n + 2 * np, np, w3, w1);
    Ess(w3, n, nl, ildeg, nljump, false, w4, w1, w5);
    for (int i = 1; i <= n; ++i) S(i) = w2(np + i) - w1(i);
    for (int i = 1; i <= n; ++i) w1(i) = Y(i) - S(i);
    Ess(w1, n, nt, itdeg, ntjump, userw, RW, T, w3);
  }
  out.seasonal = season;
  out.trend = trend;
  out.remainder.resize(n);
  for (int i = 0; i < n; ++i) out.remainder[i] = y[i] - season[i] - trend[i];
  return out;
}

}  // namespace salesops::forecast::arima
