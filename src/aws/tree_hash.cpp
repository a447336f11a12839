#include "glacier/aws/tree_hash.hpp"

#include <memory>
#include <stdexcept>

#include "glacier/aws/openssl_digests.hpp"

namespace glacier {

namespace {

digest sha256_of(const void* data, std::size_t size) {
  return openssl::sha256(data, size);
}

}  // namespace

digest sha256(std::string_view data) {
  return sha256_of(data.data(), data.size());
}

std::vector<digest> tree_hash_leaves(std::string_view data) {
  std::vector<digest> leaves;
  leaves.reserve(data.size() / tree_hash_chunk + 1);
  for (std::size_t offset = 0; offset < data.size(); offset += tree_hash_chunk) {
    leaves.push_back(sha256(data.substr(offset, tree_hash_chunk)));
  }
  if (leaves.empty()) leaves.push_back(sha256({}));
  return leaves;
}

digest tree_hash_root(std::vector<digest> nodes) {
  if (nodes.empty()) return sha256({});
  unsigned char pair[64];
  while (nodes.size() > 1) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < nodes.size(); i += 2) {
      if (i + 1 < nodes.size()) {
        std::copy(nodes[i].begin(), nodes[i].end(), pair);
        std::copy(nodes[i + 1].begin(), nodes[i + 1].end(), pair + 32);
        nodes[out++] = sha256_of(pair, sizeof pair);
      } else {
        nodes[out++] = nodes[i];
      }
    }
    nodes.resize(out);
  }
  return nodes.front();
}

digest tree_hash(std::string_view data) {
  return tree_hash_root(tree_hash_leaves(data));
}

std::string to_hex(const digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex(d.size() * 2, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  return hex;
}

bool from_hex(std::string_view hex, digest& out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return true;
}

bool is_tree_hash_aligned(std::uint64_t start, std::uint64_t end, std::uint64_t size) {
  if (size == 0 || end < start || end >= size || start % tree_hash_chunk != 0) return false;
  const std::uint64_t chunks = (size + tree_hash_chunk - 1) / tree_hash_chunk;
  const bool to_end = end + 1 == size;
  if (!to_end && (end + 1) % tree_hash_chunk != 0) return false;
  const std::uint64_t first = start / tree_hash_chunk;
  const std::uint64_t last_exclusive = to_end ? chunks : (end + 1) / tree_hash_chunk;
  // A node at level i with index k covers chunks [k*2^i, min((k+1)*2^i, chunks)).
  for (std::uint64_t span = 1; span != 0 && first % span == 0; span <<= 1) {
    const std::uint64_t node_end = std::min(first + span, chunks);
    if (node_end == last_exclusive) return true;
    if (node_end > last_exclusive) return false;
  }
  return false;
}

}  // namespace glacier
