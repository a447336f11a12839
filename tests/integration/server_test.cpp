#include "glacier/http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <vector>

#include "glacier/api/dispatcher.hpp"
#include "glacier/core/error.hpp"
#include "support/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using glacier::error_code;
using glacier::http::header_map;
using glacier::testing::http_client;

// Answers by target, so each test can ask for the behaviour it needs.
class stub_dispatcher final : public glacier::api::dispatcher {
 public:
  glacier::http::response handle(glacier::http::request&& req) override {
    const auto n = ++handled_;
    glacier::http::response res;
    res.operation = "Echo";
    res.request_id = "req-" + std::to_string(n);
    res.headers["x-amzn-RequestId"] = res.request_id;
    if (req.target == "/shared") {
      res.operation = "GetJobOutput";
      res.shared_body = shared_;
      res.shared_offset = 5;
      res.shared_length = 10;
      return res;
    }
    if (req.target == "/large") {
      // More than the loopback socket buffers of both ends hold.
      res.shared_body = large_;
      res.shared_offset = 0;
      res.shared_length = large_->size();
      return res;
    }
    if (req.target == "/throw") throw std::runtime_error("handler bug");
    if (req.target == "/delayed") {
      res.delay = 400ms;
      res.fault = "rule 1 InsufficientCapacityException +400ms";
    }
    if (req.target == "/_mock/health") {
      res.headers["Content-Type"] = "application/json";
      res.body = health_body_;
      return res;
    }
    if (req.target == "/bad-slice") {
      res.shared_body = shared_;
      res.shared_offset = 15;
      res.shared_length = 10;
      return res;
    }
    if (req.target == "/slow") {
      {
        const std::lock_guard lock(mutex_);
        slow_entered_ = true;
      }
      entered_.notify_all();
      std::this_thread::sleep_for(300ms);
    }
    res.headers["x-method"] = req.method;
    res.headers["x-test"] = std::string(glacier::http::header_or_empty(req.headers, "X-Test"));
    res.body = req.method + " " + req.target + " " + req.body;
    return res;
  }

  glacier::http::response error_response(error_code code, std::string_view message) override {
    glacier::http::response res;
    res.status = glacier::map_error(code).status;
    res.headers["Content-Type"] = "application/json";
    res.body = glacier::error_body(code, message);
    res.request_id = "error-id";
    return res;
  }

  /// Blocks until a /slow request is inside the handler.
  bool wait_for_slow(std::chrono::milliseconds within) {
    std::unique_lock lock(mutex_);
    return entered_.wait_for(lock, within, [this] { return slow_entered_; });
  }

  int handled() const { return handled_.load(); }

  /// What GET /_mock/health answers; set before the server starts.
  void set_health_body(std::string body) { health_body_ = std::move(body); }

 private:
  std::atomic<int> handled_{0};
  std::shared_ptr<const std::string> shared_ =
      std::make_shared<const std::string>("0123456789abcdefghij");
  std::shared_ptr<const std::string> large_ =
      std::make_shared<const std::string>(std::size_t{32} << 20, 'L');
  std::mutex mutex_;
  std::condition_variable entered_;
  bool slow_entered_ = false;
  std::string health_body_ = R"({"status":"ok","version":"test"})";
};

// Keeps the access log lines in memory for the test's lifetime, then puts the previous
// default logger back.
class captured_log {
 public:
  captured_log()
      : previous_(spdlog::default_logger()),
        sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
  }
  ~captured_log() { spdlog::set_default_logger(previous_); }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;

  /// The first line containing every one of `parts`, waiting up to `within` for it: the
  /// session logs after the response is written, so the client may see it first.
  std::string find(const std::vector<std::string>& parts, std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    do {
      for (const auto& line : sink_->last_formatted()) {
        bool all = true;
        for (const auto& part : parts) all = all && line.find(part) != std::string::npos;
        if (all) return line;
      }
      std::this_thread::sleep_for(10ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return "";
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

// A GET whose request line and headers, the closing blank line included, are exactly `total`
// bytes (at least 100), spread over many short fields as a big real header block is.
std::string header_block_of(std::size_t total, std::string_view target = "/h") {
  std::string head = "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; total - head.size() > 60; ++i) {
    std::string name = "X-F" + std::to_string(i) + ": ";
    head += name + std::string(40 - name.size() - 2, 'v') + "\r\n";
  }
  const std::string last = "X-Last: ";
  head += last + std::string(total - head.size() - last.size() - 4, 'w') + "\r\n\r\n";
  return head;
}

// Sends `text` a line at a time with a pause between, so the server reads it in pieces.
// Stops early (and says so) when the server has stopped taking bytes.
bool trickle_lines(http_client& client, std::string_view text) {
  while (!text.empty()) {
    const auto cut = std::min(text.find('\n'), text.size() - 1) + 1;
    try {
      client.send_raw(text.substr(0, cut));
    } catch (const std::runtime_error&) {
      return false;
    }
    text.remove_prefix(cut);
    std::this_thread::sleep_for(3ms);
  }
  return true;
}

// Sends `chunk` every `pause` until `count` were sent or the server cut the connection;
// returns how many were sent.
int trickle_body(http_client& client, std::string_view chunk, std::chrono::milliseconds pause,
                 int count) {
  for (int sent = 0; sent < count; ++sent) {
    std::this_thread::sleep_for(pause);
    try {
      client.send_raw(chunk);
    } catch (const std::runtime_error&) {
      return sent;
    }
  }
  return count;
}

glacier::config test_config() {
  glacier::config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  cfg.io_threads = 2;
  cfg.max_header_bytes = 1024;
  cfg.max_body_bytes = 1024;
  cfg.read_timeout = glacier::duration(200);
  // 204 bytes per 200 ms read timeout move a body's deadline on.
  cfg.min_body_bytes_per_second = 1024;
  cfg.idle_timeout = glacier::duration(400);
  cfg.write_timeout = glacier::duration(1000);
  cfg.shutdown_deadline = glacier::duration(2000);
  return cfg;
}

// A server on a free port, serving on its own thread until the fixture ends.
class server_test : public ::testing::Test {
 protected:
  void SetUp() override { start(test_config()); }

  void start(const glacier::config& cfg) {
    server_ = std::make_unique<glacier::http::server>(cfg, dispatcher_);
    port_ = server_->listen();
    std::promise<void> done;
    stopped_ = done.get_future();
    thread_ = std::thread([this, done = std::move(done)]() mutable {
      server_->run();
      done.set_value();
    });
  }

  void TearDown() override {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  bool run_returned(std::chrono::milliseconds within) {
    return stopped_.wait_for(within) == std::future_status::ready;
  }

  static nlohmann::json json_of(const std::string& body) { return nlohmann::json::parse(body); }

  stub_dispatcher dispatcher_;
  std::unique_ptr<glacier::http::server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::future<void> stopped_;
};

TEST_F(server_test, keep_alive_serves_two_requests_on_one_connection) {
  http_client client(port_);
  const auto first = client.send("GET", "/a", {{"X-Test", "one"}});
  EXPECT_EQ(first.status, 200U);
  EXPECT_TRUE(first.keep_alive);
  EXPECT_EQ(first.body, "GET /a ");
  EXPECT_EQ(first.header("x-test"), "one");
  EXPECT_EQ(first.header("x-amzn-RequestId"), "req-1");
  const auto second = client.send("POST", "/b", {}, "payload");
  EXPECT_EQ(second.status, 200U);
  EXPECT_EQ(second.body, "POST /b payload");
  EXPECT_EQ(second.header("Content-Length"), "15");
  EXPECT_EQ(dispatcher_.handled(), 2);
}

TEST_F(server_test, pipelined_requests_are_answered_in_order) {
  http_client client(port_);
  client.send_raw(
      "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
      "PUT /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(client.read_reply().body, "GET /one ");
  EXPECT_EQ(client.read_reply().body, "PUT /two abc");
}

TEST_F(server_test, connection_close_closes_after_the_response) {
  http_client client(port_);
  const auto reply = client.send("GET", "/a", {{"Connection", "close"}});
  EXPECT_EQ(reply.status, 200U);
  EXPECT_FALSE(reply.keep_alive);
  EXPECT_TRUE(client.wait_for_close(1s));
}

TEST_F(server_test, http10_without_keep_alive_closes_after_the_response) {
  http_client client(port_);
  client.send_raw("GET /old HTTP/1.0\r\n\r\n");
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.version, 10U);
  EXPECT_EQ(reply.body, "GET /old ");
  EXPECT_TRUE(client.wait_for_close(1s));
}

TEST_F(server_test, declared_body_over_limit_gets_json_413_then_close) {
  http_client client(port_);
  client.send_header("PUT", "/upload", {}, 4096);
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 413U);
  EXPECT_EQ(json_of(reply.body)["code"], "RequestEntityTooLargeException");
  EXPECT_TRUE(client.wait_for_close(1s));
  EXPECT_EQ(dispatcher_.handled(), 0);
}

TEST_F(server_test, declared_body_over_limit_sent_in_full_still_gets_413) {
  http_client client(port_);
  client.send_raw("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n" +
                  std::string(3000, 'x'));
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 413U);
  EXPECT_TRUE(client.wait_for_close(2s));
}

TEST_F(server_test, chunked_body_over_limit_gets_json_413) {
  http_client client(port_);
  std::string request = "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'x') + "\r\n";
  request += "0\r\n\r\n";
  client.send_raw(request);
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 413U);
  EXPECT_EQ(json_of(reply.body)["code"], "RequestEntityTooLargeException");
  EXPECT_TRUE(client.wait_for_close(2s));
}

TEST_F(server_test, chunked_body_within_limit_is_delivered_whole) {
  http_client client(port_);
  client.send_raw(
      "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "PUT /c abcde");
}

TEST_F(server_test, header_over_limit_gets_json_400_then_close) {
  http_client client(port_);
  client.send_raw("GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 400U);
  const auto body = json_of(reply.body);
  EXPECT_EQ(body["code"], "BadRequest");
  EXPECT_NE(body["message"].get<std::string>().find("header"), std::string::npos);
  EXPECT_TRUE(client.wait_for_close(1s));
}

TEST_F(server_test, header_block_one_byte_over_the_limit_in_one_send_gets_json_400) {
  // Beast's own limit lets the fields after the request line use the whole limit again, so
  // the total must be counted by the session: many small fields and a long request line.
  for (const auto& block :
       {header_block_of(1025), header_block_of(1025, "/" + std::string(600, 't'))}) {
    http_client client(port_);
    client.send_raw(block);
    const auto reply = client.read_reply();
    EXPECT_EQ(reply.status, 400U) << block.substr(0, 40);
    EXPECT_NE(json_of(reply.body)["message"].get<std::string>().find("header"), std::string::npos);
    EXPECT_TRUE(client.wait_for_close(1s));
  }
  EXPECT_EQ(dispatcher_.handled(), 0);
}

TEST_F(server_test, header_block_exactly_at_the_limit_is_served_whole_or_trickled) {
  for (const auto& block :
       {header_block_of(1024), header_block_of(1024, "/" + std::string(600, 't'))}) {
    http_client whole(port_);
    whole.send_raw(block);
    EXPECT_EQ(whole.read_reply().status, 200U);
    http_client trickled(port_);
    ASSERT_TRUE(trickle_lines(trickled, block));
    EXPECT_EQ(trickled.read_reply().status, 200U);
  }
  EXPECT_EQ(dispatcher_.handled(), 4);
}

TEST_F(server_test, trickled_header_block_over_the_limit_gets_json_400) {
  // Room to trickle: only the size may end this request.
  TearDown();
  auto cfg = test_config();
  cfg.read_timeout = glacier::duration(5000);
  start(cfg);
  for (const std::size_t size : {1025U, 1600U}) {
    http_client client(port_);
    trickle_lines(client, header_block_of(size));
    const auto reply = client.read_reply();
    EXPECT_EQ(reply.status, 400U) << size;
    EXPECT_EQ(json_of(reply.body)["code"], "BadRequest");
    EXPECT_TRUE(client.wait_for_close(2s));
  }
  EXPECT_EQ(dispatcher_.handled(), 0);
}

TEST_F(server_test, malformed_request_line_gets_json_400_then_close) {
  http_client client(port_);
  client.send_raw("THIS IS NOT HTTP\r\n\r\n");
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 400U);
  EXPECT_EQ(json_of(reply.body)["code"], "BadRequest");
  EXPECT_TRUE(client.wait_for_close(1s));
}

TEST_F(server_test, binary_garbage_gets_400_or_close_and_never_hangs) {
  http_client client(port_);
  client.send_raw(std::string("\x01\x02\x03\xff\r\n\r\n", 8));
  const auto raw = client.read_raw_until_close(2s);
  EXPECT_TRUE(raw.empty() || raw.rfind("HTTP/1.1 400", 0) == 0) << raw;
}

TEST_F(server_test, bad_content_length_gets_json_400) {
  http_client client(port_);
  client.send_raw("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 400U);
  EXPECT_EQ(json_of(reply.body)["code"], "BadRequest");
}

TEST_F(server_test, client_stalling_in_the_header_is_dropped_after_read_timeout) {
  http_client client(port_);
  const auto start = std::chrono::steady_clock::now();
  client.send_raw("GET /a HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(client.wait_for_close(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_EQ(dispatcher_.handled(), 0);
}

TEST_F(server_test, client_stalling_in_the_body_is_dropped_after_read_timeout) {
  http_client client(port_);
  client.send_raw("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-some");
  EXPECT_TRUE(client.wait_for_close(3s));
  EXPECT_EQ(dispatcher_.handled(), 0);
}

TEST_F(server_test, trickled_body_is_dropped_at_its_deadline_though_bytes_keep_arriving) {
  // A byte every 20 ms is 50 bytes/s, far below the 1024 bytes/s that would move the
  // deadline; each gap is a tenth of the read timeout, so a per-read timeout never fires.
  http_client client(port_);
  const auto start_time = std::chrono::steady_clock::now();
  client.send_header("PUT", "/trickle", {}, 1000);
  const int sent = trickle_body(client, "x", 20ms, 100);
  const auto took = std::chrono::steady_clock::now() - start_time;
  EXPECT_LT(sent, 100) << "still open after " << sent << " body bytes";
  EXPECT_GE(sent, 4);
  EXPECT_GE(took, 180ms);
  EXPECT_LT(took, 1s);
  EXPECT_EQ(dispatcher_.handled(), 0);
}

TEST_F(server_test, body_keeping_the_minimum_rate_may_outlast_the_read_timeout) {
  TearDown();
  auto cfg = test_config();
  cfg.max_body_bytes = 64 * 1024;
  start(cfg);
  // 256 bytes every 50 ms: each piece alone moves the 200 ms deadline; 600 ms in all.
  http_client client(port_);
  const auto start_time = std::chrono::steady_clock::now();
  client.send_header("PUT", "/steady", {}, 12 * 256);
  ASSERT_EQ(trickle_body(client, std::string(256, 'b'), 50ms, 12), 12);
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "PUT /steady " + std::string(12 * 256, 'b'));
  EXPECT_GE(std::chrono::steady_clock::now() - start_time, 500ms);
}

TEST_F(server_test, without_a_minimum_rate_the_whole_request_gets_one_read_timeout) {
  TearDown();
  auto cfg = test_config();
  cfg.max_body_bytes = 64 * 1024;
  cfg.min_body_bytes_per_second = 0;
  start(cfg);
  http_client client(port_);
  const auto start_time = std::chrono::steady_clock::now();
  client.send_header("PUT", "/steady", {}, 12 * 256);
  EXPECT_LT(trickle_body(client, std::string(256, 'b'), 50ms, 12), 12);
  const auto took = std::chrono::steady_clock::now() - start_time;
  EXPECT_GE(took, 180ms);
  EXPECT_LT(took, 500ms);
  EXPECT_EQ(dispatcher_.handled(), 0);
}

TEST_F(server_test, stop_is_not_held_up_by_a_body_arriving_at_the_minimum_rate) {
  TearDown();
  auto cfg = test_config();
  cfg.max_body_bytes = 64 * 1024;
  cfg.min_body_bytes_per_second = 1;
  cfg.read_timeout = glacier::duration(1000);
  cfg.shutdown_deadline = glacier::duration(300);
  start(cfg);
  http_client client(port_);
  client.send_header("PUT", "/slow-upload", {}, 60'000);
  EXPECT_EQ(trickle_body(client, "x", 20ms, 5), 5);
  const auto start_time = std::chrono::steady_clock::now();
  server_->stop();
  // The client would go on for a minute; the shutdown deadline ends the wait for it.
  bool returned = false;
  while (!returned && std::chrono::steady_clock::now() - start_time < 3s) {
    trickle_body(client, "x", 0ms, 1);
    returned = run_returned(20ms);
  }
  EXPECT_TRUE(returned);
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, 1s);
}

TEST_F(server_test, idle_keep_alive_connection_is_closed_after_idle_timeout) {
  http_client client(port_);
  EXPECT_EQ(client.send("GET", "/a").status, 200U);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.wait_for_close(3s));
  // Longer than read_timeout: a rested keep-alive connection gets the idle limit.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
}

TEST_F(server_test, client_that_stops_reading_a_response_is_dropped_after_write_timeout) {
  http_client client(port_);
  client.send_raw("GET /large HTTP/1.1\r\nHost: x\r\n\r\n");
  // The client takes nothing for longer than write_timeout (1 s): the server gives up on it.
  std::this_thread::sleep_for(1600ms);
  const auto start = std::chrono::steady_clock::now();
  const auto received = client.read_raw_until_close(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s) << "the connection stayed open";
  // Only what the socket buffers held when the server closed arrives, not the whole body.
  EXPECT_GT(received.size(), 0U);
  EXPECT_LT(received.size(), std::size_t{32} << 20);
  // The server goes on serving others.
  http_client other(port_);
  EXPECT_EQ(other.send("GET", "/a").status, 200U);
}

TEST_F(server_test, shared_body_slice_is_sent_exactly) {
  http_client client(port_);
  const auto reply = client.send("GET", "/shared");
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "56789abcde");
  EXPECT_EQ(reply.header("Content-Length"), "10");
  EXPECT_TRUE(reply.header("Transfer-Encoding").empty());
}

TEST_F(server_test, slice_outside_the_buffer_becomes_a_json_500) {
  http_client client(port_);
  const auto reply = client.send("GET", "/bad-slice");
  EXPECT_EQ(reply.status, 500U);
  EXPECT_EQ(json_of(reply.body)["code"], "ServiceUnavailableException");
}

TEST_F(server_test, throwing_dispatcher_becomes_a_json_500_and_the_connection_lives) {
  http_client client(port_);
  const auto reply = client.send("GET", "/throw");
  EXPECT_EQ(reply.status, 500U);
  EXPECT_EQ(json_of(reply.body)["code"], "ServiceUnavailableException");
  EXPECT_EQ(client.send("GET", "/after").status, 200U);
}

TEST_F(server_test, expect_100_continue_gets_continue_before_the_body) {
  http_client client(port_);
  client.send_header("PUT", "/upload", {{"Expect", "100-continue"}}, 5);
  EXPECT_EQ(client.read_reply().status, 100U);
  client.send_raw("hello");
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "PUT /upload hello");
}

TEST_F(server_test, expect_100_continue_over_limit_gets_413_without_continue) {
  http_client client(port_);
  client.send_header("PUT", "/upload", {{"Expect", "100-continue"}}, 1'000'000);
  const auto reply = client.read_reply();
  EXPECT_EQ(reply.status, 413U);
  EXPECT_TRUE(client.wait_for_close(1s));
}

TEST_F(server_test, stop_finishes_the_in_flight_request_and_run_returns) {
  http_client idle(port_);
  EXPECT_EQ(idle.send("GET", "/warm-up").status, 200U);

  http_client busy(port_);
  busy.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(dispatcher_.wait_for_slow(2s));
  server_->stop();

  // The idle keep-alive connection is closed at once; the busy one gets its answer.
  EXPECT_TRUE(idle.wait_for_close(1s));
  const auto reply = busy.read_reply();
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "GET /slow ");
  EXPECT_FALSE(reply.keep_alive);
  EXPECT_TRUE(busy.wait_for_close(1s));
  EXPECT_TRUE(run_returned(2s));
  EXPECT_THROW(http_client late(port_), std::runtime_error);
}

TEST_F(server_test, sigterm_shuts_the_server_down) {
  http_client client(port_);
  // A served request proves run() has installed its signal handlers.
  EXPECT_EQ(client.send("GET", "/a").status, 200U);
  std::raise(SIGTERM);
  EXPECT_TRUE(run_returned(2s));
}

TEST_F(server_test, listening_on_a_port_in_use_throws_system_error) {
  auto cfg = test_config();
  cfg.port = port_;
  glacier::http::server second(cfg, dispatcher_);
  try {
    second.listen();
    FAIL() << "listen() on a used port should throw";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port_)), std::string::npos)
        << e.what();
  }
}

TEST_F(server_test, injected_delay_holds_the_response_without_blocking_the_thread) {
  // One I/O thread: if the delay blocked it, the second connection could not be served.
  TearDown();
  auto cfg = test_config();
  cfg.io_threads = 1;
  start(cfg);
  captured_log log;

  http_client delayed(port_);
  const auto start_time = std::chrono::steady_clock::now();
  delayed.send_raw("GET /delayed HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(50ms);

  http_client other(port_);
  const auto quick = other.send("GET", "/quick");
  EXPECT_EQ(quick.status, 200U);
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, 350ms)
      << "another connection waited for the delayed response";

  const auto reply = delayed.read_reply();
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "GET /delayed ");
  EXPECT_GE(std::chrono::steady_clock::now() - start_time, 400ms);

  const auto line =
      log.find({"/delayed", "fault=\"rule 1 InsufficientCapacityException +400ms\""}, 2s);
  EXPECT_FALSE(line.empty()) << "no access line with the fault";
  EXPECT_TRUE(log.find({"/quick", "fault="}, 0ms).empty()) << "a fault-free line names a fault";
}

TEST_F(server_test, stop_cuts_an_injected_delay_short) {
  http_client delayed(port_);
  delayed.send_raw("GET /delayed HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  const auto start_time = std::chrono::steady_clock::now();
  server_->stop();
  const auto reply = delayed.read_reply();
  EXPECT_EQ(reply.status, 200U);
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, 300ms);
  EXPECT_TRUE(run_returned(2s));
}

TEST_F(server_test, check_health_accepts_status_ok) {
  auto cfg = test_config();
  cfg.port = port_;
  EXPECT_EQ(glacier::http::check_health(cfg, glacier::duration(2000)), std::nullopt);
  // A wildcard listen address is probed on loopback.
  cfg.host = "0.0.0.0";
  EXPECT_EQ(glacier::http::check_health(cfg, glacier::duration(2000)), std::nullopt);
}

TEST(server_health, check_health_reports_a_bad_status_in_one_line) {
  stub_dispatcher dispatcher;
  dispatcher.set_health_body("{\"status\":\"starting\"}\n");
  auto cfg = test_config();
  glacier::http::server server(cfg, dispatcher);
  cfg.port = server.listen();
  auto running = std::async(std::launch::async, [&server] { server.run(); });
  const auto problem = glacier::http::check_health(cfg, glacier::duration(2000));
  server.stop();
  EXPECT_EQ(running.wait_for(2s), std::future_status::ready);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("starting"), std::string::npos) << *problem;
  EXPECT_EQ(problem->find('\n'), std::string::npos) << *problem;
}

TEST(server_health, check_health_reports_a_closed_port) {
  auto cfg = test_config();
  {
    // A port that was just free: nothing listens on it now.
    stub_dispatcher dispatcher;
    glacier::http::server server(cfg, dispatcher);
    cfg.port = server.listen();
  }
  const auto problem = glacier::http::check_health(cfg, glacier::duration(2000));
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find(std::to_string(cfg.port)), std::string::npos) << *problem;
}

TEST(server_health, check_health_gives_up_on_a_silent_server) {
  // A listening socket that never answers: the probe must end at its timeout.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  auto cfg = test_config();
  cfg.port = acceptor.local_endpoint().port();
  const auto start_time = std::chrono::steady_clock::now();
  const auto problem = glacier::http::check_health(cfg, glacier::duration(300));
  const auto took = std::chrono::steady_clock::now() - start_time;
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("300 ms"), std::string::npos) << *problem;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
}

TEST(server_lifecycle, stop_before_run_makes_run_return_at_once) {
  stub_dispatcher dispatcher;
  glacier::http::server server(test_config(), dispatcher);
  server.listen();
  server.stop();
  auto done = std::async(std::launch::async, [&server] { server.run(); });
  EXPECT_EQ(done.wait_for(2s), std::future_status::ready);
}

}  // namespace
