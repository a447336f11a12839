#pragma once

// How a write the disk refused reaches the client: AWS's answer when the service cannot
// do what it was asked, 500 ServiceUnavailableException.
#include <string>

#include "glacier/core/error.hpp"
#include "glacier/store/journal.hpp"

namespace glacier {

inline error refused_write(const journal_write_error& e) {
  return error(error_code::service_unavailable, "Service unavailable: " + std::string(e.what()));
}

}  // namespace glacier
