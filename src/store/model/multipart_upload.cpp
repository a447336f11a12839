#include "glacier/store/model/multipart_upload.hpp"

namespace glacier {

bool is_valid_part_size(std::uint64_t size) {
  constexpr std::uint64_t min = 1ULL << 20;
  constexpr std::uint64_t max = 4ULL << 30;
  return size >= min && size <= max && (size & (size - 1)) == 0;
}

}  // namespace glacier
