#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "glacier/core/job_id_codec.hpp"

namespace glacier {

/// Generates the opaque ids Glacier hands out, in its lengths and [A-Za-z0-9_-] alphabet.
/// Thread-safe; one generator per server so a seed can make runs reproducible.
class id_generator {
 public:
  /// Seeded from std::random_device.
  id_generator();
  /// Reproducible: the same seed gives the same sequence of ids.
  explicit id_generator(std::uint64_t seed);
  /// Seeded with `seed` when given, else from std::random_device.
  explicit id_generator(std::optional<std::uint64_t> seed)
      : id_generator(seed ? *seed : std::random_device{}()) {}

  /// The 92-character id of the job with this sequence number; no lock, no state.
  std::string job_id(std::uint64_t sequence) const { return job_ids_.encode(sequence); }
  /// The sequence number behind a job id this generator made, if it made it.
  std::optional<std::uint64_t> job_sequence(std::string_view id) const {
    return job_ids_.decode(id);
  }
  std::string archive_id() { return make(138); }        ///< 138 characters, as in the docs
  std::string upload_id() { return make(92); }          ///< 92 characters, as in the docs
  std::string request_id() { return make(47); }         ///< 47 characters, as in the docs
  std::string lock_id() { return make(24, true); }      ///< 24 alphanumeric characters
  std::string capacity_id() { return make(24, true); }  ///< 24 alphanumeric characters

 private:
  std::string make(std::size_t length, bool alphanumeric_only = false);

  std::mutex mutex_;
  std::mt19937_64 engine_;
  const job_id_codec job_ids_;
};

}  // namespace glacier
