#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace glacier {

/// A raw SHA-256 digest.
using digest = std::array<unsigned char, 32>;

/// The size of one tree-hash leaf: 1 MiB.
inline constexpr std::uint64_t tree_hash_chunk = 1024 * 1024;

/// SHA-256 of `data`.
digest sha256(std::string_view data);

/// The SHA-256 digest of each 1 MiB chunk of `data` (one digest for empty input).
std::vector<digest> tree_hash_leaves(std::string_view data);

/// Combines a level of nodes pairwise until one is left; an unpaired last node is promoted.
digest tree_hash_root(std::vector<digest> nodes);

/// Glacier's SHA-256 tree hash of `data`.
digest tree_hash(std::string_view data);

/// Lowercase hex of a digest.
std::string to_hex(const digest& d);

/// Parses 64 hex digits (either case) into a digest; false when `hex` is not one.
bool from_hex(std::string_view hex, digest& out);

/// True when [start, end] (inclusive bytes) of data of `size` bytes is tree-hash aligned:
/// its tree-hash root is a node of the whole data's tree (spec §2.3).
bool is_tree_hash_aligned(std::uint64_t start, std::uint64_t end, std::uint64_t size);

}  // namespace glacier
