#include "glacier/aws/sigv4.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace {

using glacier::sigv4::credentials;
using glacier::sigv4::request;

// AWS's SigV4 test suite, case get-vanilla (its published signature; botocore's
// SigV4Auth gives the same for this request and date).
TEST(sigv4, get_vanilla_matches_the_aws_test_suite) {
  request req;
  req.method = "GET";
  req.path = "/";
  req.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  const credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};

  EXPECT_EQ(glacier::sigv4::canonical_request(req),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(glacier::sigv4::authorization(req, creds, "us-east-1", "service", "20150830T123600Z"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// The request the notifier sends. Expected value from botocore.auth.SigV4Auth for
// POST http://127.0.0.1:4566/ with this Content-Type and body at 2024-01-02T03:04:05Z.
TEST(sigv4, sns_publish_post_matches_botocore) {
  request req;
  req.method = "POST";
  req.path = "/";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"Host", "127.0.0.1:4566"},
                 {"X-Amz-Date", "20240102T030405Z"}};
  req.payload =
      "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-west-2%3A123456789012%"
      "3Ajobs&Message=%7B%22JobId%22%3A%22abc%22%7D";
  EXPECT_EQ(
      glacier::sigv4::authorization(req, {"test", "test"}, "us-west-2", "sns", "20240102T030405Z"),
      "AWS4-HMAC-SHA256 Credential=test/20240102/us-west-2/sns/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, "
      "Signature=7f2f2ac3b917e83e00740517106d42cda46684b2cc8e9bd1ce7379498f050e27");
}

TEST(sigv4, header_names_are_lowercased_sorted_and_values_trimmed) {
  request req;
  req.method = "PUT";
  req.path = "/a";
  req.canonical_query = "x=1";
  req.headers = {{"X-B", "  two   words "}, {"x-a", "1"}, {"X-A", "2"}};
  EXPECT_EQ(glacier::sigv4::canonical_request(req),
            "PUT\n/a\nx=1\nx-a:1,2\nx-b:two words\n\nx-a;x-b\n" + glacier::sigv4::sha256_hex(""));
}

TEST(sigv4, sha256_and_hmac_match_known_vectors) {
  EXPECT_EQ(glacier::sigv4::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  const auto mac = glacier::sigv4::hmac_sha256("Jefe", "what do ya want for nothing?");
  std::string hex;
  for (const char signed_c : mac) {
    const auto c = static_cast<unsigned char>(signed_c);
    static constexpr char digits[] = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 0x0f];
  }
  EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(sigv4, amz_date_is_compact_utc) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1704164645));
  EXPECT_EQ(glacier::sigv4::amz_date(t), "20240102T030405Z");
}

}  // namespace
