#include "glacier/http/request_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace glacier::http {
namespace {

std::string upload_request(const std::string& body) {
  return "POST /-/vaults/v/archives HTTP/1.1\r\nHost: x\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Feeds the request `piece` bytes at a time, as reads off a socket would arrive, keeping
// what the parser did not take yet in front of the next piece, as the session does.
request parse_in_pieces(const std::string& wire, std::size_t piece) {
  request_parser parser;
  parser.body_limit(std::uint64_t{1} << 30);
  std::string pending;
  for (std::size_t at = 0; at < wire.size() && !parser.is_done(); at += piece) {
    pending.append(wire, at, piece);
    boost::beast::error_code ec;
    const auto used = parser.put(boost::asio::buffer(pending), ec);
    if (ec && ec != boost::beast::http::error::need_more) ADD_FAILURE() << ec.message();
    pending.erase(0, used);
  }
  EXPECT_TRUE(parser.is_done());
  return std::move(parser.get());
}

// An archive body of more than one leaf arrives with both of its hashes already computed,
// the same as hashing the complete body afterwards.
TEST(request_parser, hashes_a_large_body_while_it_arrives) {
  std::string body(std::size_t{2} * 1024 * 1024 + 12345, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 31 % 253);
  const auto parsed = parse_in_pieces(upload_request(body), 65536);
  ASSERT_EQ(parsed.body, body);
  ASSERT_TRUE(parsed.digests.has_value());
  EXPECT_EQ(to_hex(parsed.digests->sha256), to_hex(sha256(body)));
  EXPECT_EQ(to_hex(parsed.digests->tree_hash), to_hex(tree_hash(body)));
}

// A body of one leaf or less is left to be hashed on demand (one pass gives both hashes).
TEST(request_parser, leaves_a_small_body_unhashed) {
  const auto parsed = parse_in_pieces(upload_request(std::string(1024 * 1024, 'a')), 4096);
  EXPECT_EQ(parsed.body.size(), 1024u * 1024u);
  EXPECT_FALSE(parsed.digests.has_value());
}

}  // namespace
}  // namespace glacier::http
