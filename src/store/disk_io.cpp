#include "glacier/store/disk_io.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <limits>

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

std::uint64_t disk_io::free_bytes(int fd) {
  struct statvfs fs {};
  if (::fstatvfs(fd, &fs) != 0) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

}  // namespace glacier
