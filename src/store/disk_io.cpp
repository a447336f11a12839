#include "glacier/store/disk_io.hpp"

#include <unistd.h>

namespace glacier {

ssize_t disk_io::write(int fd, const void* data, std::size_t size) {
  return ::write(fd, data, size);
}

int disk_io::sync(int fd) {
  return ::fdatasync(fd);
}

int disk_io::truncate(int fd, off_t size) {
  return ::ftruncate(fd, size);
}

}  // namespace glacier
