// The verifier's canonical request, string to sign and signature for AWS's published SigV4
// test suite (aws-sig-v4-test-suite: service "service", us-east-1, 20150830T123600Z, key
// AKIDEXAMPLE). Each request goes through the server's own HTTP parser first, so repeated
// headers are folded and values trimmed exactly as for a request off the wire.
#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <string>
#include <vector>

#include "glacier/auth/signature_verifier.hpp"
#include "glacier/auth/sigv4_fields.hpp"
#include "glacier/aws/sigv4.hpp"
#include "glacier/http/request_parser.hpp"

namespace glacier::auth {
namespace {

constexpr std::string_view suite_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view suite_scope = "20150830/us-east-1/service/aws4_request";
constexpr std::string_view suite_date = "20150830T123600Z";
constexpr std::string_view suite_empty_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view suite_token =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPf"
    "IeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ"
    "0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8F"
    "DrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

// One case of the suite: its .req (lines joined by "\n" as published), .creq, and the
// SignedHeaders and Signature of its .authz.
struct suite_case {
  std::string name;
  std::string req;
  std::string creq;
  std::string signed_headers;
  std::string signature;
};

// The .req as a client puts it on the wire: CRLF line ends, and a Content-Length for a body.
http::request parse_wire(const std::string& req) {
  std::string head = req;
  std::string body;
  if (const auto blank = req.find("\n\n"); blank != std::string::npos) {
    head = req.substr(0, blank);
    body = req.substr(blank + 2);
  }
  std::string wire;
  for (const char c : head) {
    if (c == '\n') wire += '\r';
    wire += c;
  }
  if (!body.empty() && head.find("Content-Length:") == std::string::npos) {
    wire += "\r\nContent-Length:" + std::to_string(body.size());
  }
  wire += "\r\n\r\n" + body;
  http::request_parser parser;
  std::string_view pending = wire;
  while (!parser.is_done() && !pending.empty()) {
    boost::beast::error_code ec;
    const auto used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
    EXPECT_FALSE(ec) << ec.message() << " for\n" << wire;
    if (ec) break;
    pending.remove_prefix(used);
  }
  EXPECT_TRUE(parser.is_done()) << wire;
  return std::move(parser.get());
}

const std::vector<suite_case>& suite_cases() {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const std::string date_line = "X-Amz-Date:20150830T123600Z";
  const std::string host_line = "Host:example.amazonaws.com";
  const std::string tail =
      "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
      std::string(suite_empty_hash);
  static const std::vector<suite_case> cases = {
      {"get-vanilla", "GET / HTTP/1.1\n" + host_line + "\n" + date_line, "GET\n/\n\n" + tail,
       "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-empty-query-key",
       "GET /?Param1=value1 HTTP/1.1\n" + host_line + "\n" + date_line,
       "GET\n/\nParam1=value1\n" + tail, "host;x-amz-date",
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-query-order-key",
       "GET /?Param1=value2&Param1=Value1 HTTP/1.1\n" + host_line + "\n" + date_line,
       "GET\n/\nParam1=Value1&Param1=value2\n" + tail, "host;x-amz-date",
       "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
      {"get-vanilla-query-order-key-case",
       "GET /?Param2=value2&Param1=value1 HTTP/1.1\n" + host_line + "\n" + date_line,
       "GET\n/\nParam1=value1&Param2=value2\n" + tail, "host;x-amz-date",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-value",
       "GET /?Param1=value2&Param1=value1 HTTP/1.1\n" + host_line + "\n" + date_line,
       "GET\n/\nParam1=value1&Param1=value2\n" + tail, "host;x-amz-date",
       "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
      {"get-vanilla-query-unreserved",
       "GET /?" + unreserved + "=" + unreserved + " HTTP/1.1\n" + host_line + "\n" + date_line,
       "GET\n/\n" + unreserved + "=" + unreserved + "\n" + tail, "host;x-amz-date",
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      // The suite writes the query's U+1234 raw; on the wire a client percent-encodes it.
      {"get-vanilla-utf8-query", "GET /?%E1%88%B4=bar HTTP/1.1\n" + host_line + "\n" + date_line,
       "GET\n/\n%E1%88%B4=bar\n" + tail, "host;x-amz-date",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved", "GET /" + unreserved + " HTTP/1.1\n" + host_line + "\n" + date_line,
       "GET\n/" + unreserved + "\n\n" + tail, "host;x-amz-date",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-header-key-duplicate",
       "GET / HTTP/1.1\n" + host_line +
           "\nMy-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\n" + date_line,
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:"
       "20150830T123600Z\n\nhost;my-header1;x-amz-date\n" +
           std::string(suite_empty_hash),
       "host;my-header1;x-amz-date",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order",
       "GET / HTTP/1.1\n" + host_line +
           "\nMy-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\n" +
           date_line,
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\nx-amz-date:"
       "20150830T123600Z\n\nhost;my-header1;x-amz-date\n" +
           std::string(suite_empty_hash),
       "host;my-header1;x-amz-date",
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim",
       "GET / HTTP/1.1\n" + host_line + "\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\n" +
           date_line,
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:"
       "20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" +
           std::string(suite_empty_hash),
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"post-vanilla", "POST / HTTP/1.1\n" + host_line + "\n" + date_line, "POST\n/\n\n" + tail,
       "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query", "POST /?Param1=value1 HTTP/1.1\n" + host_line + "\n" + date_line,
       "POST\n/\nParam1=value1\n" + tail, "host;x-amz-date",
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-header-key-sort",
       "POST / HTTP/1.1\n" + host_line + "\nMy-Header1:value1\n" + date_line,
       "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\n"
       "host;my-header1;x-amz-date\n" +
           std::string(suite_empty_hash),
       "host;my-header1;x-amz-date",
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case",
       "POST / HTTP/1.1\n" + host_line + "\nMy-Header1:VALUE1\n" + date_line,
       "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z\n\n"
       "host;my-header1;x-amz-date\n" +
           std::string(suite_empty_hash),
       "host;my-header1;x-amz-date",
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-x-www-form-urlencoded",
       "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n" + host_line + "\n" +
           date_line + "\n\nParam1=value1",
       "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       "content-type;host;x-amz-date",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-sts-header-before",
       "POST / HTTP/1.1\n" + host_line + "\n" + date_line +
           "\nX-Amz-Security-Token:" + std::string(suite_token),
       "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:" +
           std::string(suite_token) + "\n\nhost;x-amz-date;x-amz-security-token\n" +
           std::string(suite_empty_hash),
       "host;x-amz-date;x-amz-security-token",
       "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
  };
  return cases;
}

TEST(sigv4_test_suite, the_verifier_builds_the_published_canonical_request_and_signature) {
  const auto key = sigv4::signing_key(suite_secret, "20150830", "us-east-1", "service");
  for (const auto& c : suite_cases()) {
    SCOPED_TRACE(c.name);
    auto request = parse_wire(c.req);
    const auto url = boost::urls::parse_origin_form(request.target);
    ASSERT_TRUE(url) << request.target;
    const auto payload_hash = sigv4::sha256_hex(request.body);  // signed_request holds a view
    const signed_request to_verify{request, *url, payload_hash};
    const auto canonical = verifier_canonical_request(to_verify, c.signed_headers, false);
    EXPECT_EQ(canonical, c.creq);
    const auto to_sign = sigv4::string_to_sign(suite_date, suite_scope, canonical);
    EXPECT_EQ(to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n" + std::string(suite_scope) + "\n" +
                           sigv4::sha256_hex(c.creq));
    EXPECT_EQ(sigv4::signature(key, to_sign), c.signature);

    // The suite's Authorization header reads back into the fields that were signed.
    request.headers.emplace(
        "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + std::string(suite_scope) +
                             ", SignedHeaders=" + c.signed_headers + ", Signature=" + c.signature);
    const auto fields = read_sigv4_fields(request.headers, *url);
    EXPECT_EQ(fields.algorithm, "AWS4-HMAC-SHA256");
    EXPECT_EQ(fields.access_key_id, "AKIDEXAMPLE");
    EXPECT_EQ(fields.scope_date, "20150830");
    EXPECT_EQ(fields.region, "us-east-1");
    EXPECT_EQ(fields.service, "service");
    EXPECT_TRUE(fields.credential_complete);
    EXPECT_EQ(fields.signed_headers, c.signed_headers);
    EXPECT_EQ(fields.signature, c.signature);
  }
}

}  // namespace
}  // namespace glacier::auth
