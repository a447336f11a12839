#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace glacier {

/// The system calls through which the journal and its blobs reach the disk. The default
/// passes them on; tests substitute one that fails from a chosen byte on (a full disk, an
/// I/O error), which is how "nothing of a failed write is visible" is tested.
class disk_io {
 public:
  virtual ~disk_io() = default;
  /// write(2): the count written, or -1 with errno set.
  virtual ssize_t write(int fd, const void* data, std::size_t size);
  /// fdatasync(2): 0, or -1 with errno set.
  virtual int sync(int fd);
  /// ftruncate(2): 0, or -1 with errno set.
  virtual int truncate(int fd, off_t size);
  /// Bytes an unprivileged writer may still use on the file system of `fd` (fstatvfs);
  /// the largest value when that cannot be told.
  virtual std::uint64_t free_bytes(int fd);
};

}  // namespace glacier
