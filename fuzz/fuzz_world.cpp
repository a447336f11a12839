#include "fuzz_world.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/span_body.hpp>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

#include "glacier/aws/tree_hash.hpp"

namespace glacier::fuzz {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// 2024-01-01T00:00:00Z, as in the unit tests.
constexpr long long start_ms = 1704067200000LL;
// The unit tests' harness seeds, so a trace names the ids a test would see.
constexpr std::uint64_t id_seed = 42;
constexpr std::uint64_t fault_seed = 7;

// Small on purpose: the world is rebuilt for every input, and megabyte buffers would cut
// the fuzzer's speed tenfold; big_archive_bytes() is only added for inputs that name it.
const std::string& archive_bytes() {
  static const std::string bytes = [] {
    std::string s(3000, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>((i * 7 + 3) % 251);
    return s;
  }();
  return bytes;
}

const std::string& big_archive_bytes() {
  static const std::string bytes = [] {
    std::string s(2 * tree_hash_chunk + 1000, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>((i * 13 + 5) % 253);
    return s;
  }();
  return bytes;
}

// The last part of an upload may be shorter than the part size.
const std::string& part_bytes() {
  static const std::string bytes(2000, 'p');
  return bytes;
}

[[noreturn]] void fail(const http::request& request, const http::response& r, const char* why) {
  std::fprintf(stderr, "glacier fuzz: %s\n  request: %s %s\n  response: %u %s\n  body: %.2000s\n",
               why, request.method.c_str(), request.target.c_str(), r.status, r.operation.c_str(),
               std::string(r.payload()).c_str());
  std::abort();
}

// The dispatcher's catch-all logs "unexpected error in ..." at error level; anything
// reaching it is a handler bug the fuzzer should stop on.
class catch_all_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  bool take(std::string& message) {
    const std::lock_guard lock(mutex_);
    if (!seen_) return false;
    seen_ = false;
    message = std::move(message_);
    return true;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.level < spdlog::level::err) return;
    const std::string_view text(msg.payload.data(), msg.payload.size());
    seen_ = true;
    message_.assign(text);
  }
  void flush_() override {}

 private:
  bool seen_ = false;
  std::string message_;
};

std::shared_ptr<catch_all_sink>& sink() {
  static std::shared_ptr<catch_all_sink> s;
  return s;
}

// The session sets these itself and drops the handler's (session.cpp).
bool is_framing_header(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection");
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

void init_logging() {
  sink() = std::make_shared<catch_all_sink>();
  auto logger = std::make_shared<spdlog::logger>("fuzz", sink());
  logger->set_level(spdlog::level::err);
  spdlog::set_default_logger(logger);
}

bool take_unexpected_error(std::string& message) {
  return sink() && sink()->take(message);
}

world::world()
    : clock(time_point(duration(start_ms))),
      parts(config{}, clock, id_seed, fault_seed),
      trace_(std::getenv("GLACIER_FUZZ_TRACE") != nullptr) {
  const std::string vault = "/-/vaults/" + std::string(vault_name);
  setup("PUT", vault, "", {}, 201);
  setup("PUT", vault + "/notification-configuration",
        R"({"SNSTopic":"arn:aws:sns:us-east-1:123456789012:topic",)"
        R"("Events":["ArchiveRetrievalCompleted","InventoryRetrievalCompleted"]})",
        {}, 204);
  setup("POST", vault + "/tags?operation=add", R"({"Tags":{"team":"storage","env":"fuzz"}})", {},
        204);
  setup("PUT", vault + "/access-policy",
        R"({"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",)"
        R"(\"Principal\":\"*\",\"Action\":\"glacier:ListJobs\",\"Resource\":\"*\"}]}"})",
        {}, 204);

  archive_tree = to_hex(tree_hash(archive_bytes()));
  auto uploaded = setup("POST", vault + "/archives", archive_bytes(),
                        {{"x-amz-sha256-tree-hash", archive_tree},
                         {"x-amz-content-sha256", to_hex(sha256(archive_bytes()))},
                         {"x-amz-archive-description", "fuzz archive"}},
                        201);
  archive_id = uploaded.headers.at("x-amz-archive-id");

  auto job = setup(
      "POST", vault + "/jobs",
      R"({"Type":"archive-retrieval","Tier":"Expedited","ArchiveId":")" + archive_id + R"("})", {},
      202);
  job_id = job.headers.at("x-amz-job-id");
  advance(cfg.expedited_delay);
  auto pending = setup("POST", vault + "/jobs", R"({"Type":"inventory-retrieval"})", {}, 202);
  pending_id = pending.headers.at("x-amz-job-id");

  auto upload =
      setup("POST", vault + "/multipart-uploads", "", {{"x-amz-part-size", "1048576"}}, 201);
  upload_id = upload.headers.at("x-amz-multipart-upload-id");
  part_tree = to_hex(tree_hash(part_bytes()));
  setup("PUT", vault + "/multipart-uploads/" + upload_id, part_bytes(),
        {{"Content-Range", "bytes 0-1999/*"},
         {"x-amz-sha256-tree-hash", part_tree},
         {"x-amz-content-sha256", to_hex(sha256(part_bytes()))}},
        204);
}

void world::add_big_archive() {
  if (!big_archive_id.empty()) return;
  const std::string vault = "/-/vaults/" + std::string(vault_name);
  auto uploaded = setup("POST", vault + "/archives", big_archive_bytes(),
                        {{"x-amz-sha256-tree-hash", to_hex(tree_hash(big_archive_bytes()))},
                         {"x-amz-content-sha256", to_hex(sha256(big_archive_bytes()))}},
                        201);
  big_archive_id = uploaded.headers.at("x-amz-archive-id");
  auto job = setup(
      "POST", vault + "/jobs",
      R"({"Type":"archive-retrieval","Tier":"Expedited","ArchiveId":")" + big_archive_id + R"("})",
      {}, 202);
  big_job_id = job.headers.at("x-amz-job-id");
  advance(cfg.expedited_delay);
}

void world::add_big_archive_if_named(std::string_view input) {
  if (input.find("{big_") != std::string_view::npos) add_big_archive();
}

http::response world::setup(const std::string& method, const std::string& target, std::string body,
                            http::header_map headers, unsigned expected) {
  http::request r;
  r.method = method;
  r.target = target;
  r.headers = std::move(headers);
  r.headers.emplace("x-amz-glacier-version", "2012-06-01");
  r.headers.emplace("Content-Length", std::to_string(body.size()));  // as HTTP frames it
  r.body = std::move(body);
  auto res = dispatcher.handle(std::move(r));
  if (res.status != expected) {
    std::fprintf(stderr, "glacier fuzz: setup %s %s answered %u: %s\n", method.c_str(),
                 target.c_str(), res.status, res.body.c_str());
    std::abort();
  }
  return res;
}

std::string world::substitute(std::string text, std::string_view body) const {
  if (text.find('{') == std::string::npos) return text;
  replace_all(text, "{job}", job_id);
  replace_all(text, "{pending}", pending_id);
  replace_all(text, "{archive}", archive_id);
  replace_all(text, "{upload}", upload_id);
  replace_all(text, "{archive_tree}", archive_tree);
  replace_all(text, "{part_tree}", part_tree);
  replace_all(text, "{big_archive}", big_archive_id);
  replace_all(text, "{big_job}", big_job_id);
  if (text.find("{tree}") != std::string::npos)
    replace_all(text, "{tree}", to_hex(tree_hash(body)));
  if (text.find("{sha}") != std::string::npos) replace_all(text, "{sha}", to_hex(sha256(body)));
  return text;
}

http::response world::send(http::request&& request) {
  // The dispatcher consumes the request; the checks only report its request line.
  http::request copy;
  copy.method = request.method;
  copy.target = request.target;
  copy.headers = request.headers;
  auto r = dispatcher.handle(std::move(request));
  if (trace_) {
    std::fprintf(stderr, "%s %s -> %u %s %.200s\n", copy.method.c_str(), copy.target.c_str(),
                 r.status, r.operation.c_str(), std::string(r.payload().substr(0, 200)).c_str());
  }
  check_response(copy, r);
  parts.scheduler.run_due();
  parts.select_jobs.run_pending();
  return r;
}

void world::advance(duration by) {
  clock.advance(by);
  parts.scheduler.run_due();
  parts.select_jobs.run_pending();
}

void world::check_response(const http::request& request, const http::response& r) const {
  std::string unexpected;
  if (take_unexpected_error(unexpected) && std::getenv("GLACIER_FUZZ_ALLOW_500") == nullptr) {
    std::fprintf(stderr, "glacier fuzz: logged error: %s\n", unexpected.c_str());
    fail(request, r, "the dispatcher's catch-all answered (a handler threw a non-glacier error)");
  }
  if (r.status < 100 || r.status > 599) fail(request, r, "status the wire cannot carry");
  if (r.shared_body) {
    const auto size = r.shared_body->size();
    if (r.shared_offset > size || r.shared_length > size - r.shared_offset) {
      fail(request, r, "shared slice outside its buffer");
    }
  }
  const auto payload = r.payload();
  const auto content_type = http::header_or_empty(r.headers, "Content-Type");
  const bool json_type = content_type.find("json") != std::string_view::npos;
  // A 206 is a byte range of a JSON inventory: a slice, rightly not JSON on its own.
  if (json_type && r.status != 206 && !payload.empty() && !nlohmann::json::accept(payload)) {
    fail(request, r, "Content-Type says JSON but the body is not JSON");
  }
  if (r.status >= 400) {
    const auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_object() || !j.contains("code") || !j.contains("message") || !j.contains("type") ||
        !j["code"].is_string() || !j["message"].is_string()) {
      fail(request, r, "error without a Glacier JSON body");
    }
  }
  if (!r.headers.contains("x-amzn-RequestId")) fail(request, r, "no x-amzn-RequestId");

  // What session::build_wire_response sends, serialised and parsed back as a client would:
  // a header value carrying CR/LF or a bad name would split or break the response.
  bhttp::response<bhttp::span_body<const char>> wire;
  wire.result(r.status);
  wire.version(11);
  std::size_t expected_fields = 2;  // Content-Length and Connection: close
  for (const auto& [name, value] : r.headers) {
    if (is_framing_header(name)) continue;
    wire.set(name, value);
    ++expected_fields;
  }
  wire.body() = {payload.data(), payload.size()};
  wire.content_length(payload.size());
  wire.keep_alive(false);
  std::string bytes;
  {
    bhttp::response_serializer<bhttp::span_body<const char>> serializer(wire);
    beast::error_code ec;
    serializer.split(true);
    // Only the header: the body is the payload checked above, and copying archive bytes
    // for every response would only slow the fuzzer down.
    do {
      serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
        std::size_t n = 0;
        for (const auto b : beast::buffers_range_ref(buffers)) {
          bytes.append(static_cast<const char*>(b.data()), b.size());
          n += b.size();
        }
        serializer.consume(n);
      });
      if (ec) fail(request, r, "the response header does not serialise");
    } while (!serializer.is_header_done());
  }
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // the header alone; the body is not in `bytes`
  beast::error_code ec;
  parser.put(boost::asio::buffer(bytes), ec);
  if (ec || !parser.is_header_done()) fail(request, r, "the response header does not parse back");
  const auto& back = parser.get();
  if (back.result_int() != r.status) fail(request, r, "the parsed-back status differs");
  std::size_t fields = 0;
  for (const auto& field : back) {
    (void)field;
    ++fields;
  }
  if (fields != expected_fields) fail(request, r, "a header value split into several fields");
}

}  // namespace glacier::fuzz
