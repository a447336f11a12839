#pragma once

#include "glacier/core/clock.hpp"

namespace glacier {

/// The longest wait between two delivery attempts (SNS notifications, select output to
/// S3): the doubling stops here, so a long retry series stays a series of retries.
inline constexpr duration max_retry_wait{10 * 60 * 1000};

}  // namespace glacier
