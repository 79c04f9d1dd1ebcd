// Runs one validated op: turns its record and tensor records into a kernel's
// plain description and calls the kernel. No checks: Model::load did them.
#pragma once

#include "edgeae/edgeae.hpp"

namespace edgeae::detail {

void execute_op(const Session& session, const format::OpRecord& op);

}  // namespace edgeae::detail
