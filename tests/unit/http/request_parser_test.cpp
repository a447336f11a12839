#include "glacier/http/request_parser.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>

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

// Feeds the header through put() and then, as the session does once its read buffer is
// empty, reads the body straight into body_space() `piece` bytes at a time.
request parse_body_in_place(const std::string& wire, std::size_t header_piece, std::size_t piece) {
  request_parser parser;
  parser.body_limit(std::uint64_t{1} << 30);
  std::size_t at = 0;
  std::string pending;
  while (!parser.is_header_done()) {
    pending.append(wire, at, header_piece);
    at += std::min(header_piece, wire.size() - at);
    boost::beast::error_code ec;
    pending.erase(0, parser.put(boost::asio::buffer(pending), ec));
  }
  // What came with the header is parsed from the read buffer, like the session does.
  while (!pending.empty() && !parser.is_done()) {
    boost::beast::error_code ec;
    pending.erase(0, parser.put(boost::asio::buffer(pending), ec));
  }
  while (!parser.is_done()) {
    const auto space = parser.body_space(piece);
    EXPECT_GT(space.size(), 0u);
    if (space.size() == 0) break;
    const auto n = std::min(space.size(), wire.size() - at);
    std::memcpy(space.data(), wire.data() + at, n);
    at += n;
    boost::beast::error_code ec;
    EXPECT_EQ(parser.put_body_space(n, ec), n);
    if (ec && ec != boost::beast::http::error::need_more) ADD_FAILURE() << ec.message();
  }
  EXPECT_EQ(at, wire.size());
  return std::move(parser.get());
}

// A body read straight into its buffer, after some of it came in the header's read, and in
// reads shorter than the space offered, is the body sent, with the hashes of the body sent.
TEST(request_parser, reads_a_body_in_place_with_the_same_bytes_and_hashes) {
  std::string body(std::size_t{3} * 1024 * 1024 + 4321, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 17 % 251);
  const auto wire = upload_request(body);
  for (const auto& [header_piece, piece] :
       {std::pair<std::size_t, std::size_t>{4096, 262144}, {100, 65536}, {70000, 1 << 20}}) {
    const auto parsed = parse_body_in_place(wire, header_piece, piece);
    ASSERT_EQ(parsed.body.size(), body.size());
    ASSERT_TRUE(parsed.body == body) << header_piece << "/" << piece;
    ASSERT_TRUE(parsed.digests.has_value());
    EXPECT_EQ(to_hex(parsed.digests->sha256), to_hex(sha256(body)));
    EXPECT_EQ(to_hex(parsed.digests->tree_hash), to_hex(tree_hash(body)));
  }
  // A small body read in place is left unhashed, as when it comes through the read buffer.
  const auto small = parse_body_in_place(upload_request(std::string(1000, 'b')), 60, 256);
  EXPECT_EQ(small.body, std::string(1000, 'b'));
  EXPECT_FALSE(small.digests.has_value());
}

// The space offered never reaches past the declared length, so a pipelined request's bytes
// are never read into the body; a body without a declared length (chunked) gets none.
TEST(request_parser, offers_no_body_space_past_the_declared_length) {
  request_parser parser;
  parser.body_limit(std::uint64_t{1} << 30);
  const std::string head = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n";
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  ASSERT_TRUE(parser.is_header_done());
  EXPECT_EQ(parser.body_space(1 << 20).size(), 10u);
  std::memcpy(parser.body_space(4).data(), "abcd", 4);
  EXPECT_EQ(parser.put_body_space(4, ec), 4u);
  EXPECT_EQ(parser.body_space(1 << 20).size(), 6u);
  std::memcpy(parser.body_space(6).data(), "efghij", 6);
  EXPECT_EQ(parser.put_body_space(6, ec), 6u);
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(parser.get().body, "abcdefghij");
  EXPECT_EQ(parser.body_space(1 << 20).size(), 0u);

  request_parser chunked;
  const std::string chunked_head =
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  chunked.put(boost::asio::buffer(chunked_head), ec);
  ASSERT_TRUE(chunked.is_header_done());
  EXPECT_EQ(chunked.body_space(1 << 20).size(), 0u);
}

// A body of one leaf or less is left to be hashed on demand (one pass gives both hashes).
TEST(request_parser, leaves_a_small_body_unhashed) {
  const auto parsed = parse_in_pieces(upload_request(std::string(1024 * 1024, 'a')), 4096);
  EXPECT_EQ(parsed.body.size(), 1024u * 1024u);
  EXPECT_FALSE(parsed.digests.has_value());
}

}  // namespace
}  // namespace glacier::http
