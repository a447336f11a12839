#include "glacier/store/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "glacier/store/journal_format.hpp"

namespace glacier {

namespace {

constexpr const char* log_name = "journal.log";
constexpr const char* blob_folder = "blobs";
constexpr const char* lost_and_found = "lost+found";

std::string errno_text(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

/// Writes all of `data` to `fd`; the errno of the failure, or 0.
int write_all(disk_io& io, int fd, std::string_view data) {
  while (!data.empty()) {
    const auto written = io.write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (written == 0) return ENOSPC;
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

/// Syncs a directory, so that a rename or a new file in it survives a power loss.
int sync_directory(disk_io& io, const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int result = io.sync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return result;
}

/// Writes `data` to a temporary file beside `path`, syncs it and renames it over `path`;
/// the errno of the failure (and no file left behind), or 0.
int write_durably(disk_io& io, const std::filesystem::path& path, std::string_view data) {
  // Unique per call: two requests may write the same content-named part blob at once.
  static std::atomic<std::uint64_t> counter{0};
  const auto temporary = path.string() + "." + std::to_string(++counter) + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  int result = write_all(io, fd, data);
  if (result == 0 && io.sync(fd) != 0) result = errno;
  ::close(fd);
  if (result == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) result = errno;
  if (result != 0) {
    ::unlink(temporary.c_str());
    return result;
  }
  return sync_directory(io, path.parent_path());
}

std::uint64_t size_or_zero(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

}  // namespace

journal::journal(std::filesystem::path dir, std::shared_ptr<disk_io> io,
                 std::uint64_t reserve_bytes)
    : dir_(std::move(dir)),
      io_(io ? std::move(io) : std::make_shared<disk_io>()),
      reserve_bytes_(reserve_bytes) {
  std::filesystem::create_directories(dir_ / blob_folder);
  had_log_ = std::filesystem::exists(log_path());
  // A compaction killed before its rename leaves its temporary log; the log it would
  // have replaced is still whole.
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with(std::string(log_name) + ".") && name.ends_with(".tmp")) {
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    }
  }
  std::uint64_t blobs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / blob_folder)) {
    std::error_code ec;
    const auto size = entry.file_size(ec);
    if (!ec) blobs += size;
  }
  blob_bytes_ = blobs;
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  // A missing log is created by the first write, not here: a start that refuses to run
  // over blobs without their journal must leave the directory as it found it.
  if (had_log_) open_log();
}

journal::~journal() {
  if (log_fd_ >= 0) ::close(log_fd_);
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

std::filesystem::path journal::log_path() const {
  return dir_ / log_name;
}

void journal::open_log() {
  if (log_fd_ >= 0) ::close(log_fd_);
  log_fd_ = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd_ < 0) {
    throw std::runtime_error("cannot open " + log_path().string() + ": " + errno_text(errno));
  }
  struct stat st {};
  length_ = ::fstat(log_fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  published_length_ = length_;
}

void journal::refuse(const std::string& what, int error_number) {
  // One line when the disk starts refusing, not one per request (see note_success).
  ++failed_writes_;
  if (!failing_.exchange(true)) {
    spdlog::error(
        "{} in {}: {}; changes are refused (500 ServiceUnavailableException) until the "
        "disk takes writes again",
        what, dir_.string(), errno_text(error_number));
  }
  throw journal_write_error("the disk refused the write (" + errno_text(error_number) +
                            "); nothing of the change was kept");
}

void journal::note_success() {
  if (failing_.exchange(false)) {
    spdlog::warn("writes to {} succeed again ({} refused in all)", dir_.string(),
                 failed_writes_.load());
  }
}

bool journal::restore_length() {
  if (io_->truncate(log_fd_, static_cast<off_t>(length_)) != 0) return false;
  // The cut must reach the disk too, or a crash could bring the torn bytes back.
  return io_->sync(log_fd_) == 0;
}

void journal::check_room(std::uint64_t bytes) {
  if (reserve_bytes_ == 0 || bytes == 0) return;  // an empty log (reset) frees space
  const auto free = io_->free_bytes(dir_fd_);
  if (free < reserve_bytes_ || free - reserve_bytes_ < bytes) {
    refuse("fewer than " + std::to_string(reserve_bytes_) + " bytes would be left free (" +
               std::to_string(free) + " are)",
           ENOSPC);
  }
}

void journal::append(const nlohmann::json& record, bool frees_space) {
  if (log_fd_ < 0) open_log();
  if (damaged_tail_) {
    if (!restore_length()) refuse("cannot cut a failed append off the journal", errno);
    damaged_tail_ = false;
  }
  const auto line = journal_format::frame(record.dump());
  if (!frees_space) check_room(line.size());
  int result = write_all(*io_, log_fd_, line);
  if (result == 0 && io_->sync(log_fd_) != 0) result = errno;
  if (result != 0) {
    damaged_tail_ = !restore_length();
    refuse("cannot append to " + log_path().string(), result);
  }
  length_ += line.size();
  published_length_ = length_;
  note_success();
}

std::string journal::read_log() const {
  std::ifstream in(log_path(), std::ios::binary);
  if (!in) return {};
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void journal::rewrite(const std::vector<nlohmann::json>& records) {
  std::string text;
  for (const auto& r : records) text += journal_format::frame(r.dump());
  check_room(text.size());
  if (const int result = write_durably(*io_, log_path(), text); result != 0) {
    refuse("cannot compact " + log_path().string(), result);
  }
  damaged_tail_ = false;
  open_log();
  note_success();
}

void journal::truncate_log(std::uint64_t length) {
  if (log_fd_ < 0 || length >= length_) return;
  length_ = length;
  if (!restore_length()) refuse("cannot cut the torn tail off " + log_path().string(), errno);
  published_length_ = length_;
}

void journal::write_blob(const std::string& name, std::string_view data) {
  const auto path = dir_ / blob_folder / name;
  const auto replaced = size_or_zero(path);
  check_room(data.size());
  if (const int result = write_durably(*io_, path, data); result != 0) {
    refuse("cannot write " + path.string(), result);
  }
  blob_bytes_ += data.size();
  blob_bytes_ -= replaced;
  note_success();
}

std::shared_ptr<const std::string> journal::read_blob(const std::string& name) const {
  const auto path = dir_ / blob_folder / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return nullptr;
  auto data = std::make_shared<std::string>();
  data->resize(static_cast<std::size_t>(size));
  in.read(data->data(), static_cast<std::streamsize>(data->size()));
  if (!in) return nullptr;
  return data;
}

void journal::remove_blob(const std::string& name) {
  const auto path = dir_ / blob_folder / name;
  const auto size = size_or_zero(path);
  std::error_code ec;
  if (std::filesystem::remove(path, ec)) blob_bytes_ -= size;
}

std::vector<std::string> journal::blob_names() const {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / blob_folder)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

std::vector<std::string> journal::move_blobs_except(const std::set<std::string>& keep) {
  std::vector<std::string> moved;
  for (const auto& name : blob_names()) {
    if (keep.contains(name)) continue;
    const auto from = dir_ / blob_folder / name;
    std::filesystem::create_directories(dir_ / lost_and_found);
    auto to = dir_ / lost_and_found / name;
    for (int n = 1; std::filesystem::exists(to); ++n) {
      to = dir_ / lost_and_found / (name + "." + std::to_string(n));
    }
    const auto size = size_or_zero(from);
    std::error_code ec;
    std::filesystem::rename(from, to, ec);
    if (ec) continue;
    blob_bytes_ -= size;
    moved.push_back(name);
  }
  if (!moved.empty()) sync_directory(*io_, dir_ / blob_folder);
  return moved;
}

void journal::clear() {
  rewrite({});
  for (const auto& name : blob_names()) remove_blob(name);
}

journal_stats journal::stats() const {
  return {published_length_.load(), blob_bytes_.load(), failed_writes_.load()};
}

}  // namespace glacier
