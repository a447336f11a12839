#pragma once

#include "glacier/api/call.hpp"
#include "glacier/auth/sigv4_fields.hpp"

namespace glacier::api {

/// --auth verify: verifies the request's SigV4 signature (spec Part 3A) against the real
/// system clock and returns the caller of the declared key that signed it. The payload
/// hash is x-amz-content-sha256 when sent (checked against the body first), else the
/// body's SHA-256. Throws AWS's authentication errors.
auth::caller authenticate(call& c, const auth::sigv4_fields& fields);

}  // namespace glacier::api
