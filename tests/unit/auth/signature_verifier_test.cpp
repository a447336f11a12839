// SigV4 verification against the vectors of Glacier's developer guide and botocore's own
// signatures (AWS's SigV4 test suite is in sigv4_test_suite_test.cpp), and AWS's answer to
// each failure, in the order AWS checks.
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

  // With another token than the key's, the key is not recognised: checked after the
  // signature, and worded without the final period of an unknown key's answer, as AWS does.
  auto other_token = temporary;
  other_token.session_token = "another";
  const auto refused = verify(r, directory({other_token}), now, empty_hash);
  EXPECT_EQ(refused.code, "UnrecognizedClientException");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(refused.message, "The security token included in the request is invalid");
  // A long-term key takes no token at all.
  auto long_term = temporary;
  long_term.session_token.clear();
  EXPECT_EQ(verify(r, directory({long_term}), now, empty_hash).message,
            "The security token included in the request is invalid");

  temporary.expiration = time_point(
      std::chrono::duration_cast<duration>(at(2026, 12, 2, 14, 0, 0).time_since_epoch()));
  const auto expired = verify(r, directory({temporary}), now, empty_hash);
  EXPECT_EQ(expired.code, "ExpiredTokenException");
  EXPECT_EQ(expired.status, 403u);
  EXPECT_EQ(expired.message, "The security token included in the request is expired");
}

// botocore's presigned DescribeVault (X-Amz-Date 20261202T140437Z) with its X-Amz-Expires
// (and any other query parameter) rewritten; the signature no longer matches, so a URL that
// passes every earlier check ends at the signature mismatch.
http::request presigned(const std::string& from, const std::string& to) {
  http::request r;
  r.method = "GET";
  r.target =
      "/-/vaults/examplevault?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
      "AKIAIOSFODNN7EXAMPLE%2F20261202%2Fus-east-1%2Fglacier%2Faws4_request&X-Amz-Date="
      "20261202T140437Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host%3Bx-amz-glacier-version&X-Amz-"
      "Signature=3947e3cfd5c09639fad317c23ebf2691432eeb7013aa1aaa962ebb394b7e4773";
  if (!from.empty()) {
    const auto at = r.target.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    r.target.replace(at, from.size(), to);
  }
  r.headers = {{"Host", "glacier.us-east-1.amazonaws.com"},
               {"x-amz-glacier-version", "2012-06-01"}};
  return r;
}

TEST(signature_verifier, accepts_botocores_presigned_url) {
  const auto r = presigned("", "");
  const auto callers = directory({declared(example_key, example_secret)});
  EXPECT_EQ(verify(r, callers, at(2026, 12, 2, 14, 8, 0), empty_hash).code, "");
  // Past X-Amz-Expires the URL is refused.
  const auto late = verify(r, callers, at(2026, 12, 2, 14, 9, 38), empty_hash);
  EXPECT_EQ(late.code, "InvalidSignatureException");
  EXPECT_EQ(late.status, 403u);
  EXPECT_EQ(late.message,
            "Signature expired: 20261202T140437Z is now earlier than 20261202T140438Z "
            "(20261202T140938Z - 5 min.)");
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
  const auto no_date = verify(r, callers, create_vault_time, empty_hash);
  EXPECT_EQ(no_date.code, "IncompleteSignatureException");
  EXPECT_EQ(no_date.message,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. Authorization=" +
                r.headers.at("Authorization"));
  // A Date in the RFC form is present but is no signing date (spec Part 3A.1).
  r.headers["Date"] = "Fri, 25 May 2012 00:24:53 GMT";
  const auto rfc_date = verify(r, callers, create_vault_time, empty_hash);
  EXPECT_EQ(rfc_date.code, "IncompleteSignatureException");
  EXPECT_EQ(rfc_date.message,
            "Date must be in ISO-8601 'basic format'. Got 'Fri, 25 May 2012 00:24:53 GMT'. See "
            "http://en.wikipedia.org/wiki/ISO_8601");
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

// One malformed request and AWS's answer to it.
struct refusal_row {
  std::string what;
  http::request request;
  std::string code;
  unsigned status;
  std::string message;
};

void expect_refusals(const std::vector<refusal_row>& rows, sys_time now) {
  const auto callers = directory({declared(example_key, example_secret)});
  for (const auto& row : rows) {
    const auto result = verify(row.request, callers, now, empty_hash);
    EXPECT_EQ(result.code, row.code) << row.what << ": " << result.message;
    EXPECT_EQ(result.status, row.status) << row.what;
    EXPECT_EQ(result.message, row.message) << row.what;
  }
}

http::request create_vault_with_authorization(const std::string& authorization) {
  auto r = create_vault_vector();
  r.headers["Authorization"] = authorization;
  return r;
}

constexpr std::string_view vector_signature =
    "3ce5b2f2fffac9262b4da9256f8d086b4aaf42eba5f111c21681a65a127b7c2a";

// The answers AWS's front end gives, recorded from AWS's JSON services (README "Signature
// verification"), each case failing at one check of the order AWS checks in.
TEST(signature_verifier, malformed_authorization_headers_get_awss_answers) {
  const std::string good_credential =
      "AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier/aws4_request";
  const std::string good_headers = "host;x-amz-date;x-amz-glacier-version";
  const auto header = [&](const std::string& algorithm, const std::string& credential,
                          const std::string& signed_headers) {
    return algorithm + " Credential=" + credential + ", SignedHeaders=" + signed_headers +
           ", Signature=" + std::string(vector_signature);
  };
  const std::string no_equals = "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders";
  auto no_date = create_vault_with_authorization("AWS4-HMAC-SHA256 Credential=" + good_credential);
  no_date.headers.erase("x-amz-date");
  auto short_date = create_vault_vector();
  short_date.headers["x-amz-date"] = "201";
  auto both = create_vault_vector();
  both.target += "?X-Amz-Algorithm=AWS4-HMAC-SHA256";
  expect_refusals(
      {
          {"a field without '='", create_vault_with_authorization(no_equals),
           "IncompleteSignatureException", 400,
           "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
           "'" +
               no_equals + "'."},
          {"no fields", create_vault_with_authorization("X"), "IncompleteSignatureException", 400,
           "Authorization header requires 'Credential' parameter. Authorization header requires "
           "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
           "Authorization=X"},
          {"no SignedHeaders, Signature or date", no_date, "IncompleteSignatureException", 400,
           "Authorization header requires 'Signature' parameter. Authorization header requires "
           "'SignedHeaders' parameter. Authorization header requires existence of either a "
           "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=" +
               good_credential},
          {"a date not in the basic ISO form", short_date, "IncompleteSignatureException", 400,
           "Date must be in ISO-8601 'basic format'. Got '201'. See "
           "http://en.wikipedia.org/wiki/ISO_8601"},
          {"host not signed",
           create_vault_with_authorization(
               header("AWS4-HMAC-SHA256", good_credential, "x-amz-date;x-amz-glacier-version")),
           "InvalidSignatureException", 403,
           "'Host' must be a 'SignedHeader' in the AWS Authorization."},
          {"an unknown algorithm",
           create_vault_with_authorization(
               header("AWS4-HMAC-SHA512", good_credential, good_headers)),
           "IncompleteSignatureException", 400,
           "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
          {"a scope of four elements",
           create_vault_with_authorization(header("AWS4-HMAC-SHA256",
                                                  "AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier",
                                                  good_headers)),
           "IncompleteSignatureException", 400,
           "Credential must have exactly 5 slash-delimited elements, e.g. "
           "keyid/date/region/service/term, got 'AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier'"},
          {"a scope of six elements",
           create_vault_with_authorization(
               header("AWS4-HMAC-SHA256", good_credential + "/x", good_headers)),
           "IncompleteSignatureException", 400,
           "Credential must have exactly 5 slash-delimited elements, e.g. "
           "keyid/date/region/service/term, got '" +
               good_credential + "/x'"},
          {"every part of the scope wrong",
           create_vault_with_authorization(
               header("AWS4-HMAC-SHA256", "AKIAIOSFODNN7EXAMPLE/20120526/US_EAST/s3/aws4_req",
                      good_headers)),
           "InvalidSignatureException", 403,
           "Credential should be scoped to a valid region, not 'US_EAST'. Credential should be "
           "scoped to correct service: 'glacier'. Credential should be scoped with a valid "
           "terminator: 'aws4_request', not 'aws4_req'. Date in Credential scope does not match "
           "YYYYMMDD from ISO-8601 version of date from HTTP: '20120526' != '20120525', from "
           "'20120525T002453Z'."},
          {"an Authorization header and a query signature", both, "InvalidSignatureException", 403,
           "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
           "header."},
      },
      create_vault_time);

  // AWS ignores trailing slashes after the scope's five elements.
  const auto callers = directory({declared(example_key, example_secret)});
  const auto trailing = create_vault_with_authorization(
      header("AWS4-HMAC-SHA256", good_credential + "//", good_headers));
  EXPECT_EQ(verify(trailing, callers, create_vault_time, empty_hash).code, "");
}

TEST(signature_verifier, presigned_urls_live_for_x_amz_expires_up_to_five_minutes) {
  const auto signed_at = at(2026, 12, 2, 14, 4, 37);
  const std::string mismatch =
      "The request signature we calculated does not match the signature you provided.";
  const auto callers = directory({declared(example_key, example_secret)});
  const auto verify_at = [&](const http::request& r, sys_time now) {
    return verify(r, callers, now, empty_hash);
  };
  // A week is the longest X-Amz-Expires; one second more is refused with S3's words.
  const auto week = verify_at(presigned("X-Amz-Expires=300", "X-Amz-Expires=604800"), signed_at);
  EXPECT_EQ(week.message.rfind(mismatch, 0), 0u) << week.message;
  expect_refusals(
      {
          {"over a week", presigned("X-Amz-Expires=300", "X-Amz-Expires=604801"),
           "IncompleteSignatureException", 400,
           "X-Amz-Expires must be less than a week (in seconds); that is, the given "
           "X-Amz-Expires must be less than 604800 seconds"},
          {"not a number", presigned("X-Amz-Expires=300", "X-Amz-Expires=soon"),
           "IncompleteSignatureException", 400, "X-Amz-Expires should be a number"},
          {"negative", presigned("X-Amz-Expires=300", "X-Amz-Expires=-1"),
           "IncompleteSignatureException", 400, "X-Amz-Expires must be non-negative"},
          {"no date", presigned("&X-Amz-Date=20261202T140437Z", ""), "IncompleteSignatureException",
           400,
           "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string "
           "parameters."},
          {"no algorithm", presigned("X-Amz-Algorithm=AWS4-HMAC-SHA256&", ""),
           "IncompleteSignatureException", 400,
           "AWS query-string parameters must include 'X-Amz-Algorithm'. Re-examine the "
           "query-string parameters."},
          {"an unknown algorithm", presigned("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
           "IncompleteSignatureException", 400,
           "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). "},
      },
      signed_at);
  // A minute's URL expires after a minute.
  const auto minute = presigned("X-Amz-Expires=300", "X-Amz-Expires=60");
  EXPECT_EQ(verify_at(minute, signed_at + std::chrono::seconds(60)).message.rfind(mismatch, 0), 0u);
  const auto late = verify_at(minute, signed_at + std::chrono::seconds(61));
  EXPECT_EQ(late.code, "InvalidSignatureException");
  EXPECT_EQ(late.message,
            "Signature expired: 20261202T140437Z is now earlier than 20261202T140438Z "
            "(20261202T140538Z - 60 sec.)");
  // An hour's URL still expires after AWS's 5 minutes.
  const auto hour = presigned("X-Amz-Expires=300", "X-Amz-Expires=3600");
  EXPECT_EQ(verify_at(hour, signed_at + std::chrono::minutes(5)).message.rfind(mismatch, 0), 0u);
  EXPECT_EQ(verify_at(hour, signed_at + std::chrono::minutes(6)).message,
            "Signature expired: 20261202T140437Z is now earlier than 20261202T140537Z "
            "(20261202T141037Z - 5 min.)");
  // Without X-Amz-Expires the 5 minutes apply.
  const auto none = presigned("&X-Amz-Expires=300", "");
  EXPECT_EQ(verify_at(none, signed_at + std::chrono::minutes(6)).code, "InvalidSignatureException");
  EXPECT_EQ(verify_at(none, signed_at).message.rfind(mismatch, 0), 0u);
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
