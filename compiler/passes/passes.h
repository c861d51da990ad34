// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "compiler/pass.h"

#include <memory>

/// The compiler's passes, in pipeline order (ARCHITECTURE.md section 1). One per file.
namespace granita::compiler {

/// Builds the op-level IR from the model (one vertex per op, one edge per tensor).
std::unique_ptr<IPass> create_import_pass(const Options &o);
/// Checks the model is one the chip can run: supported ops, bit widths, shapes.
std::unique_ptr<IPass> create_verify_pass(const Options &o);
/// Ops -> hardware primitives: crossbar MVM + partial-sum reduce, neuron fire, per-head dynamic
/// spiking matmuls and PTsoftmax, BSPN, residual add, host embedding and output.
std::unique_ptr<IPass> create_lower_pass(const Options &o);
/// Splits weight matrices into crossbar tiles and elementwise primitives into feature chunks.
std::unique_ptr<IPass> create_tile_pass(const Options &o);
/// Assigns every primitive a core (and tiles a crossbar), minimising traffic-weighted hops.
std::unique_ptr<IPass> create_place_pass(const Options &o);
/// Routes every flow with the chip's routing algorithm and records per-link load.
std::unique_ptr<IPass> create_route_pass(const Options &o);
/// Orders primitives, assigns pipeline stages, SRAM needs and the summary statistics.
std::unique_ptr<IPass> create_schedule_pass(const Options &o);

} // namespace granita::compiler
