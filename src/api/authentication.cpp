#include "glacier/api/authentication.hpp"

#include <chrono>

#include "glacier/api/checksum_headers.hpp"
#include "glacier/auth/signature_verifier.hpp"

namespace glacier::api {

auth::caller authenticate(call& c, const auth::sigv4_fields& fields) {
  // A body that does not match its declared hash is refused before the signature is
  // looked at, with the message AWS gives for it.
  const auto payload_hash = check_content_sha256_if_sent(c)
                                ? std::string(c.header("x-amz-content-sha256"))
                                : to_hex(body_sha256(c));
  const auth::signed_request to_verify{c.request, c.url, payload_hash};
  // Signatures are checked against the real clock, never the mock clock (spec Part 1 §13):
  // clients sign with the time of the machine they run on.
  return auth::verify_signature(to_verify, fields, c.services.callers, c.services.signing_keys,
                                std::chrono::system_clock::now())
      .caller;
}

}  // namespace glacier::api
