#pragma once
// Expectations over a gamma distribution by quadrature: generalised Gauss-Laguerre nodes and
// weights (Golub and Welsch 1969, Math Comp 23:221), exact for polynomials of degree below
// 2n times the gamma density, whatever its shape (a shape of 0.1 puts most of the mass near 0
// and a long tail, which a sample of a few hundred draws resolves badly).
#include <cstddef>
#include <vector>

namespace sortie::core {

struct Quadrature {
    std::vector<double> nodes;
    std::vector<double> weights;  ///< sum to 1
};

/// `points` nodes and weights for E[f(m)] with m ~ Gamma(shape, scale 1 / shape) (mean 1):
/// E[f(m)] ~ sum_i weights[i] f(nodes[i]). Throws std::invalid_argument for a shape <= 0 or
/// no points.
Quadrature gamma_quadrature(double shape, std::size_t points);

}  // namespace sortie::core
