#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glacier {

/// The symbols of Glacier's ids (job, upload, archive and request ids), in the order the
/// encoders index them: the first 62 are alphanumeric.
inline constexpr std::string_view id_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Turns a job's sequence number into its 92-character id and back.
///
/// Glacier's job ids are opaque 92-character [A-Za-z0-9_-] strings. Deriving them from the
/// sequence (a keyed 64-bit permutation, then a keyed pseudo-random tail) means the store
/// never keeps them: a million retained jobs would otherwise hold 92 MB of ids, twice
/// (the job and the id index). The ids still look random and differ per key, so a client
/// cannot guess another run's ids; they are not meant to be secret.
class job_id_codec {
 public:
  static constexpr std::size_t id_length = 92;

  explicit job_id_codec(std::uint64_t key);

  /// The id of the job with this sequence number.
  std::string encode(std::uint64_t sequence) const;
  /// The sequence number whose id this is, or nothing when `id` is no id of this key.
  std::optional<std::uint64_t> decode(std::string_view id) const;

 private:
  std::uint64_t permute(std::uint64_t x) const;
  std::uint64_t unpermute(std::uint64_t x) const;

  std::uint64_t mask_;
  std::uint64_t offset_;
  std::uint64_t tail_key_;
};

}  // namespace glacier
