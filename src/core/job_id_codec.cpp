#include "glacier/core/job_id_codec.hpp"

#include <array>

namespace glacier {

namespace {

// 92 characters of 6 bits are 69 bytes: 8 carry the permuted sequence, 61 the tail.
constexpr std::size_t id_bytes = 69;

constexpr std::uint64_t multiplier_a = 0xbf58476d1ce4e5b9ULL;
constexpr std::uint64_t multiplier_b = 0x94d049bb133111ebULL;

// The inverse of an odd number modulo 2^64, by Newton's iteration (each step doubles the
// correct low bits; five steps from 3 bits reach 64).
constexpr std::uint64_t inverse(std::uint64_t odd) {
  std::uint64_t x = odd;
  for (int i = 0; i < 5; ++i) x *= 2 - odd * x;
  return x;
}
static_assert(inverse(multiplier_a) * multiplier_a == 1);
static_assert(inverse(multiplier_b) * multiplier_b == 1);

// SplitMix64: spreads a seed into well-mixed keys and the tail's bytes.
std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * multiplier_a;
  z = (z ^ (z >> 27)) * multiplier_b;
  return z ^ (z >> 31);
}

int symbol_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

job_id_codec::job_id_codec(std::uint64_t key) {
  std::uint64_t state = key;
  mask_ = splitmix(state);
  offset_ = splitmix(state);
  tail_key_ = splitmix(state);
}

// Every step is invertible (xor with a constant, multiplication by an odd number, a
// xor-shift by half the width, addition), so distinct sequences get distinct ids.
std::uint64_t job_id_codec::permute(std::uint64_t x) const {
  x ^= mask_;
  x *= multiplier_a;
  x ^= x >> 32;
  x *= multiplier_b;
  x ^= x >> 32;
  return x + offset_;
}

std::uint64_t job_id_codec::unpermute(std::uint64_t x) const {
  x -= offset_;
  x ^= x >> 32;
  x *= inverse(multiplier_b);
  x ^= x >> 32;
  x *= inverse(multiplier_a);
  return x ^ mask_;
}

std::string job_id_codec::encode(std::uint64_t sequence) const {
  std::array<unsigned char, id_bytes> bytes{};
  const std::uint64_t head = permute(sequence);
  for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(head >> (56 - 8 * i));
  std::uint64_t state = tail_key_ ^ head;
  for (std::size_t i = 8; i < id_bytes; i += 8) {
    const std::uint64_t word = splitmix(state);
    for (std::size_t b = 0; b < 8 && i + b < id_bytes; ++b) {
      bytes[i + b] = static_cast<unsigned char>(word >> (8 * b));
    }
  }
  std::string id(id_length, ' ');
  for (std::size_t group = 0; group < id_bytes / 3; ++group) {
    const std::uint32_t v = (std::uint32_t{bytes[3 * group]} << 16) |
                            (std::uint32_t{bytes[3 * group + 1]} << 8) | bytes[3 * group + 2];
    for (std::size_t k = 0; k < 4; ++k) id[4 * group + k] = id_alphabet[(v >> (18 - 6 * k)) & 63];
  }
  return id;
}

std::optional<std::uint64_t> job_id_codec::decode(std::string_view id) const {
  if (id.size() != id_length) return std::nullopt;
  // The permuted sequence is the first 64 bits: ten symbols and the top 4 bits of one more.
  std::uint64_t head = 0;
  for (std::size_t k = 0; k < 11; ++k) {
    const int v = symbol_value(id[k]);
    if (v < 0) return std::nullopt;
    head = k < 10 ? (head << 6) | static_cast<std::uint64_t>(v)
                  : (head << 4) | (static_cast<std::uint64_t>(v) >> 2);
  }
  const std::uint64_t sequence = unpermute(head);
  // Only the exact id of that sequence counts: any other string is someone else's id.
  if (encode(sequence) != id) return std::nullopt;
  return sequence;
}

}  // namespace glacier
