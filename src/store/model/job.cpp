#include "glacier/store/model/job.hpp"

#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/error.hpp"

namespace glacier {

void check_retrieval_range(const byte_range& range, std::uint64_t archive_size) {
  const auto text = std::to_string(range.start) + "-" + std::to_string(range.end);
  auto fail = [&](const std::string& why) {
    throw error(error_code::invalid_parameter_value,
                "Invalid RetrievalByteRange: " + text + ". " + why);
  };
  if (range.end >= archive_size) {
    fail("The end of the range must be less than the archive size (" +
         std::to_string(archive_size) + " bytes)");
  }
  if (range.start % tree_hash_chunk != 0) {
    fail("The start of the range must be a multiple of 1 MiB (1048576 bytes)");
  }
  if ((range.end + 1) % tree_hash_chunk != 0 && range.end + 1 != archive_size) {
    fail(
        "The end of the range plus one must be a multiple of 1 MiB (1048576 bytes) or equal "
        "the archive size");
  }
}

}  // namespace glacier
