// SigV4 verification against the vectors AWS published (Glacier's developer guide, the
// SigV4 test suite) and botocore's own signatures, and AWS's answer to each failure.
#include "glacier/auth/signature_verifier.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "glacier/aws/sigv4.hpp"
#include "glacier/core/error.hpp"

namespace glacier::auth {
namespace {

using sys_time = std::chrono::system_clock::time_point;

constexpr std::string_view example_key = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view example_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const std::string empty_hash = sigv4::sha256_hex("");

sys_time at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(mo) /
                               std::chrono::day(d)) +
         std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
}

credential_entry declared(std::string_view key, std::string_view secret, std::string token = "") {
  credential_entry e;
  e.access_key_id = std::string(key);
  e.secret_access_key = std::string(secret);
  e.account_id = "123456789012";
  e.session_token = std::move(token);
  return e;
}

caller_directory directory(std::vector<credential_entry> entries) {
  config cfg;
  cfg.credentials = std::move(entries);
  return caller_directory(cfg);
}

struct outcome {
  std::string code;  ///< empty when the signature verified
  unsigned status = 0;
  std::string message;
  std::string arn;
};

// Verifies `r` as the dispatcher would, with `payload_hash` as the signed payload's hash.
outcome verify(const http::request& r, const caller_directory& callers, sys_time now,
               std::string_view payload_hash, signing_key_cache* keys = nullptr) {
  signing_key_cache own;
  const auto url = *boost::urls::parse_origin_form(r.target);
  const signed_request to_verify{r, url, payload_hash};
  try {
    const auto& c = verify_signature(to_verify, read_sigv4_fields(r.headers, url), callers,
                                     keys ? *keys : own, now);
    return {"", 0, "", c.caller.arn};
  } catch (const error& e) {
    EXPECT_EQ(e.origin(), error_origin::front_end);
    const auto mapping = map_error(e.code());
    return {std::string(mapping.code), mapping.status, e.what(), ""};
  }
}

// Developer Guide, amazon-glacier-signing-requests: CreateVault (spec Part 3A.2 vector 1).
http::request create_vault_vector() {
  http::request r;
  r.method = "PUT";
  r.target = "/-/vaults/examplevault";
  r.headers = {{"Host", "glacier.us-east-1.amazonaws.com"},
               {"x-amz-date", "20120525T002453Z"},
               {"x-amz-glacier-version", "2012-06-01"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier/"
                "aws4_request,SignedHeaders=host;x-amz-date;x-amz-glacier-version,Signature="
                "3ce5b2f2fffac9262b4da9256f8d086b4aaf42eba5f111c21681a65a127b7c2a"}};
  return r;
}

const sys_time create_vault_time = at(2012, 5, 25, 0, 24, 53);

TEST(signature_verifier, accepts_the_developer_guides_create_vault_example) {
  const auto callers = directory({declared(example_key, example_secret)});
  const auto result = verify(create_vault_vector(), callers, create_vault_time, empty_hash);
  EXPECT_EQ(result.code, "") << result.message;
  EXPECT_EQ(result.arn, "arn:aws:iam::123456789012:root");
}

TEST(signature_verifier, accepts_the_developer_guides_streaming_upload_example) {
  // Spec Part 3A.2 vector 2, with the two corrections noted there.
  const std::string body = "Welcome to Amazon Glacier.";
  const auto payload = sigv4::sha256_hex(body);
  ASSERT_EQ(payload, "726e392cb4d09924dbad1cc0ba3b00c3643d03d14cb4b823e2f041cff612a628");
  http::request r;
  r.method = "POST";
  r.target = "/-/vaults/examplevault/archives";
  r.body = body;
  r.headers = {
      {"Host", "glacier.us-east-1.amazonaws.com"},
      {"x-amz-date", "20120507T000000Z"},
      {"x-amz-glacier-version", "2012-06-01"},
      {"x-amz-content-sha256", payload},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20120507/us-east-1/glacier/"
       "aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-glacier-"
       "version,Signature=b092397439375d59119072764a1e9a144677c43d9906fd98a5742c57a2855de6"}};
  const auto callers = directory({declared(example_key, example_secret)});
  EXPECT_EQ(verify(r, callers, at(2012, 5, 7, 0, 0, 30), payload).code, "");
  // The same request with another body is a signature mismatch.
  EXPECT_EQ(verify(r, callers, at(2012, 5, 7, 0, 0, 30), sigv4::sha256_hex("tampered")).code,
            "InvalidSignatureException");
}

// AWS's SigV4 test suite (service "service", us-east-1, 20150830T123600Z): the canonical
// request the verifier builds for a received request signs to the published signature.
std::string suite_signature(const std::string& method, const std::string& target) {
  http::request r;
  r.method = method;
  r.target = target;
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  const auto url = *boost::urls::parse_origin_form(r.target);
  const signed_request to_verify{r, url, empty_hash};
  const auto canonical = verifier_canonical_request(to_verify, "host;x-amz-date", false);
  const auto key = sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830",
                                      "us-east-1", "service");
  return sigv4::signature(
      key, sigv4::string_to_sign("20150830T123600Z",
                                 sigv4::credential_scope("20150830", "us-east-1", "service"),
                                 canonical));
}

TEST(signature_verifier, canonical_requests_match_the_aws_test_suite) {
  EXPECT_EQ(suite_signature("GET", "/"),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");  // get-vanilla
  // get-vanilla-query-order-key-case: parameters are sorted.
  EXPECT_EQ(suite_signature("GET", "/?Param2=value2&Param1=value1"),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  EXPECT_EQ(suite_signature("POST", "/"),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");  // post-vanilla
}

TEST(signature_verifier, accepts_botocores_session_token_request_with_an_encoded_path) {
  // botocore SigV4Auth with a session token; the path holds %2E, which botocore encodes
  // again, and the query is in the order botocore sent it.
  http::request r;
  r.method = "GET";
  r.target = "/-/vaults/v%2Ex/jobs?statuscode=Succeeded&completed=true&limit=5";
  r.headers = {
      {"Host", "127.0.0.1:8080"},
      {"x-amz-glacier-version", "2012-06-01"},
      {"X-Amz-Date", "20261202T140437Z"},
      {"X-Amz-Security-Token", "token/with+chars="},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLETEMP/20261202/eu-west-1/glacier/"
       "aws4_request, SignedHeaders=host;x-amz-date;x-amz-glacier-version;x-amz-security-"
       "token, Signature=b2fcdc06992d8316f51ea0544c3c106add4ec53485d01961f13d2b9a2602c058"}};
  const auto now = at(2026, 12, 2, 14, 5, 0);
  auto temporary = declared("ASIAEXAMPLETEMP", "secretTemp", "token/with+chars=");
  EXPECT_EQ(verify(r, directory({temporary}), now, empty_hash).code, "");

  // Without its token, or with another, the key is not recognised.
  auto other_token = temporary;
  other_token.session_token = "another";
  const auto refused = verify(r, directory({other_token}), now, empty_hash);
  EXPECT_EQ(refused.code, "UnrecognizedClientException");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(refused.message, "The security token included in the request is invalid.");

  temporary.expiration = time_point(
      std::chrono::duration_cast<duration>(at(2026, 12, 2, 14, 0, 0).time_since_epoch()));
  const auto expired = verify(r, directory({temporary}), now, empty_hash);
  EXPECT_EQ(expired.code, "ExpiredTokenException");
  EXPECT_EQ(expired.status, 403u);
  EXPECT_EQ(expired.message, "The security token included in the request is expired");
}

TEST(signature_verifier, accepts_botocores_presigned_url) {
  http::request r;
  r.method = "GET";
  r.target =
      "/-/vaults/examplevault?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
      "AKIAIOSFODNN7EXAMPLE%2F20261202%2Fus-east-1%2Fglacier%2Faws4_request&X-Amz-Date="
      "20261202T140437Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host%3Bx-amz-glacier-version&X-Amz-"
      "Signature=3947e3cfd5c09639fad317c23ebf2691432eeb7013aa1aaa962ebb394b7e4773";
  r.headers = {{"Host", "glacier.us-east-1.amazonaws.com"},
               {"x-amz-glacier-version", "2012-06-01"}};
  const auto callers = directory({declared(example_key, example_secret)});
  EXPECT_EQ(verify(r, callers, at(2026, 12, 2, 14, 8, 0), empty_hash).code, "");
  // Past X-Amz-Expires the URL is refused.
  const auto late = verify(r, callers, at(2026, 12, 2, 14, 9, 38), empty_hash);
  EXPECT_EQ(late.code, "InvalidSignatureException");
  EXPECT_EQ(late.message,
            "Signature expired: 20261202T140437Z is now earlier than 20261202T140438Z "
            "(20261202T140938Z - 300 sec.)");
}

TEST(signature_verifier, a_wrong_secret_is_a_mismatch_that_shows_the_canonical_request) {
  const auto callers = directory({declared(example_key, "not the secret")});
  const auto result = verify(create_vault_vector(), callers, create_vault_time, empty_hash);
  EXPECT_EQ(result.code, "InvalidSignatureException");
  EXPECT_EQ(result.status, 403u);
  EXPECT_EQ(result.message,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.\n\nThe Canonical String for this request should have "
            "been\n'PUT\n/-/vaults/examplevault\n\nhost:glacier.us-east-1.amazonaws.com\n"
            "x-amz-date:20120525T002453Z\nx-amz-glacier-version:2012-06-01\n\n"
            "host;x-amz-date;x-amz-glacier-version\n" +
                empty_hash +
                "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20120525T002453Z\n"
                "20120525/us-east-1/glacier/aws4_request\n" +
                sigv4::sha256_hex("PUT\n/-/vaults/examplevault\n\nhost:glacier.us-east-1."
                                  "amazonaws.com\nx-amz-date:20120525T002453Z\nx-amz-glacier-"
                                  "version:2012-06-01\n\nhost;x-amz-date;x-amz-glacier-version\n" +
                                  empty_hash) +
                "'\n");
}

TEST(signature_verifier, a_tampered_header_or_path_is_a_mismatch) {
  const auto callers = directory({declared(example_key, example_secret)});
  auto r = create_vault_vector();
  r.headers["x-amz-glacier-version"] = "2012-06-02";
  EXPECT_EQ(verify(r, callers, create_vault_time, empty_hash).code, "InvalidSignatureException");
  r = create_vault_vector();
  r.target = "/-/vaults/othervault";
  EXPECT_EQ(verify(r, callers, create_vault_time, empty_hash).code, "InvalidSignatureException");
}

TEST(signature_verifier, requests_outside_five_minutes_of_the_real_clock_are_refused) {
  const auto callers = directory({declared(example_key, example_secret)});
  const auto r = create_vault_vector();
  EXPECT_EQ(verify(r, callers, create_vault_time + std::chrono::minutes(5), empty_hash).code, "");
  EXPECT_EQ(verify(r, callers, create_vault_time - std::chrono::minutes(5), empty_hash).code, "");
  const auto old = verify(r, callers, create_vault_time + std::chrono::minutes(6), empty_hash);
  EXPECT_EQ(old.code, "InvalidSignatureException");
  EXPECT_EQ(old.message,
            "Signature expired: 20120525T002453Z is now earlier than 20120525T002553Z "
            "(20120525T003053Z - 5 min.)");
  const auto early = verify(r, callers, create_vault_time - std::chrono::minutes(6), empty_hash);
  EXPECT_EQ(early.code, "InvalidSignatureException");
  EXPECT_EQ(early.message,
            "Signature not yet current: 20120525T002453Z is still later than 20120525T002353Z "
            "(20120525T001853Z + 5 min.)");
}

TEST(signature_verifier, missing_or_incomplete_authentication_gets_awss_answers) {
  const auto callers = directory({declared(example_key, example_secret)});
  auto r = create_vault_vector();
  r.headers.erase("Authorization");
  const auto missing = verify(r, callers, create_vault_time, empty_hash);
  EXPECT_EQ(missing.code, "MissingAuthenticationTokenException");
  EXPECT_EQ(missing.status, 400u);
  EXPECT_EQ(missing.message, "Missing Authentication Token");

  r.headers["Authorization"] =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier/aws4_request";
  const auto incomplete = verify(r, callers, create_vault_time, empty_hash);
  EXPECT_EQ(incomplete.code, "IncompleteSignatureException");
  EXPECT_EQ(incomplete.status, 400u);
  EXPECT_EQ(incomplete.message,
            "Authorization header requires 'Signature' parameter. Authorization header requires "
            "'SignedHeaders' parameter. Authorization=" +
                r.headers.at("Authorization"));

  r = create_vault_vector();
  r.headers.erase("x-amz-date");
  r.headers["Date"] = "Fri, 25 May 2012 00:24:53 GMT";  // RFC form: not a signing date
  EXPECT_NE(verify(r, callers, create_vault_time, empty_hash)
                .message.find("requires existence of either a 'X-Amz-Date' or a 'Date' header"),
            std::string::npos);
  // The basic ISO form of Date is a signing date (spec Part 3A.1).
  r.headers["Date"] = "20120525T002453Z";
  r.headers["Authorization"] =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier/aws4_request, "
      "SignedHeaders=date;host;x-amz-glacier-version, Signature=00";
  EXPECT_EQ(verify(r, callers, create_vault_time, empty_hash).code, "InvalidSignatureException");
}

TEST(signature_verifier, the_credential_scope_must_name_glacier_and_the_signing_day) {
  const auto callers = directory({declared(example_key, example_secret)});
  const auto with_credential = [](const std::string& credential) {
    auto r = create_vault_vector();
    r.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=" + credential +
                                 ", SignedHeaders=host;x-amz-date;x-amz-glacier-version, "
                                 "Signature=3ce5b2f2fffac9262b4da9256f8d086b4aaf42eba5f111c21681a6"
                                 "5a127b7c2a";
    return r;
  };
  const auto s3 = verify(with_credential("AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/s3/aws4_request"),
                         callers, create_vault_time, empty_hash);
  EXPECT_EQ(s3.code, "InvalidSignatureException");
  EXPECT_EQ(s3.message, "Credential should be scoped to correct service: 'glacier'. ");
  const auto day =
      verify(with_credential("AKIAIOSFODNN7EXAMPLE/20120526/us-east-1/glacier/aws4_request"),
             callers, create_vault_time, empty_hash);
  EXPECT_EQ(day.message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '20120526' != '20120525', from '20120525T002453Z'.");
  const auto region =
      verify(with_credential("AKIAIOSFODNN7EXAMPLE/20120525/US_EAST/glacier/aws4_request"), callers,
             create_vault_time, empty_hash);
  EXPECT_EQ(region.message, "Credential should be scoped to a valid region, not 'US_EAST'. ");
  const auto short_scope = verify(with_credential("AKIAIOSFODNN7EXAMPLE/20120525"), callers,
                                  create_vault_time, empty_hash);
  EXPECT_EQ(short_scope.code, "IncompleteSignatureException");
  const auto unknown =
      verify(with_credential("AKIDUNKNOWN/20120525/us-east-1/glacier/aws4_request"), callers,
             create_vault_time, empty_hash);
  EXPECT_EQ(unknown.code, "UnrecognizedClientException");
}

TEST(signing_key_cache, derives_a_key_once_per_key_day_region_and_service) {
  const auto callers = directory({declared(example_key, example_secret)});
  signing_key_cache keys;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(verify(create_vault_vector(), callers, create_vault_time, empty_hash, &keys).code,
              "");
  }
  EXPECT_EQ(keys.derivations(), 1u);
  EXPECT_EQ(keys.get(example_key, example_secret, "20120525", "us-east-1", "glacier"),
            sigv4::signing_key(example_secret, "20120525", "us-east-1", "glacier"));
  EXPECT_EQ(keys.derivations(), 1u);
  keys.get(example_key, example_secret, "20120526", "us-east-1", "glacier");
  EXPECT_EQ(keys.derivations(), 2u);
}

}  // namespace
}  // namespace glacier::auth
