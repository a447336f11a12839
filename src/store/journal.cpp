#include "glacier/store/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace glacier {

namespace {

void fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + " to sync it");
  const int result = ::fsync(fd);
  ::close(fd);
  if (result != 0) throw std::runtime_error("cannot sync " + path.string());
}

void write_durably(const std::filesystem::path& path, std::string_view data) {
  const auto temporary = path.string() + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (!file) throw std::runtime_error("cannot create " + temporary);
  const bool written = std::fwrite(data.data(), 1, data.size(), file) == data.size() &&
                       std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  std::fclose(file);
  if (!written) throw std::runtime_error("cannot write " + temporary);
  std::filesystem::rename(temporary, path);
  fsync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
}

constexpr const char* log_name = "journal.log";

}  // namespace

journal::journal(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_ / "blobs");
  open_log();
}

journal::~journal() {
  if (log_) std::fclose(log_);
}

void journal::open_log() {
  if (log_) std::fclose(log_);
  log_ = std::fopen((dir_ / log_name).c_str(), "ab");
  if (!log_) throw std::runtime_error("cannot open " + (dir_ / log_name).string());
}

void journal::append(const nlohmann::json& record) {
  const auto line = record.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), log_) != line.size() || std::fflush(log_) != 0 ||
      ::fdatasync(::fileno(log_)) != 0) {
    throw std::runtime_error("cannot append to " + (dir_ / log_name).string());
  }
}

std::vector<nlohmann::json> journal::records() const {
  std::vector<nlohmann::json> result;
  std::ifstream in(dir_ / log_name);
  std::string line;
  while (std::getline(in, line)) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    // Only the last line can be torn (a crash mid-append); it was never acknowledged.
    if (record.is_discarded()) break;
    result.push_back(std::move(record));
  }
  return result;
}

void journal::rewrite(const std::vector<nlohmann::json>& records) {
  std::string text;
  for (const auto& r : records) text += r.dump() + "\n";
  write_durably(dir_ / log_name, text);
  open_log();
}

void journal::write_blob(const std::string& name, std::string_view data) {
  write_durably(dir_ / "blobs" / name, data);
}

std::shared_ptr<const std::string> journal::read_blob(const std::string& name) const {
  const auto path = dir_ / "blobs" / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing blob " + path.string());
  auto data = std::make_shared<std::string>();
  data->resize(static_cast<std::size_t>(std::filesystem::file_size(path)));
  in.read(data->data(), static_cast<std::streamsize>(data->size()));
  if (!in) throw std::runtime_error("cannot read blob " + path.string());
  return data;
}

void journal::remove_blob(const std::string& name) {
  std::error_code ignored;
  std::filesystem::remove(dir_ / "blobs" / name, ignored);
}

void journal::remove_blobs_except(const std::set<std::string>& keep) {
  std::vector<std::filesystem::path> doomed;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "blobs")) {
    if (!keep.contains(entry.path().filename().string())) doomed.push_back(entry.path());
  }
  for (const auto& path : doomed) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
}

void journal::clear() {
  rewrite({});
  remove_blobs_except({});
}

}  // namespace glacier
