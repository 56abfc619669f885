#include "sim/core/quadrature.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace sortie::core {
namespace {

using Matrix = std::vector<std::vector<double>>;

// The eigenvalues of a symmetric matrix and the first component of each normalised
// eigenvector, by cyclic Jacobi rotations: slower than QL on a tridiagonal matrix but short
// and unconditionally convergent, and the matrices here are a few dozen rows.
void jacobi_eigen(Matrix a, std::vector<double>& values, std::vector<double>& first) {
    const std::size_t n = a.size();
    Matrix v(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i) v[i][i] = 1.0;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) off += a[p][q] * a[p][q];
        if (off < 1e-30) break;
        for (std::size_t p = 0; p < n; ++p) {
            for (std::size_t q = p + 1; q < n; ++q) {
                if (a[p][q] == 0.0) continue;
                // The rotation that zeroes a[p][q]: t = tan(angle), the smaller root.
                const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                const double t =
                    (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (std::size_t k = 0; k < n; ++k) {
                    const double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (std::size_t k = 0; k < n; ++k) {
                    const double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for (std::size_t k = 0; k < n; ++k) {
                    const double vkp = v[k][p], vkq = v[k][q];
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
        }
    }
    values.resize(n);
    first.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        values[i] = a[i][i];
        first[i] = v[0][i];
    }
}

}  // namespace

Quadrature gamma_quadrature(double shape, std::size_t points) {
    if (!(shape > 0)) throw std::invalid_argument("a gamma shape must be > 0");
    if (points == 0) throw std::invalid_argument("a quadrature needs at least one point");
    // The Jacobi matrix of the generalised Laguerre polynomials of weight x^(a) e^(-x),
    // a = shape - 1: diagonal 2i + a + 1, off-diagonal sqrt(i (i + a)).
    const double a = shape - 1.0;
    Matrix jacobi(points, std::vector<double>(points, 0.0));
    for (std::size_t i = 0; i < points; ++i) {
        jacobi[i][i] = 2.0 * double(i) + a + 1.0;
        if (i > 0) jacobi[i][i - 1] = jacobi[i - 1][i] = std::sqrt(double(i) * (double(i) + a));
    }
    std::vector<double> values, first;
    jacobi_eigen(std::move(jacobi), values, first);
    // Nodes in increasing order; m = x / shape has mean 1. The weights of the normalised
    // weight function are the squared first components.
    std::vector<std::size_t> order(points);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto i, auto j) { return values[i] < values[j]; });
    Quadrature q;
    double total = 0;
    for (const auto i : order) {
        q.nodes.push_back(values[i] / shape);
        q.weights.push_back(first[i] * first[i]);
        total += first[i] * first[i];
    }
    for (auto& w : q.weights) w /= total;
    return q;
}

}  // namespace sortie::core
